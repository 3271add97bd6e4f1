"""The lint rules by id: each is a function that yields Hits, registered with its metadata.

Rule ids are `NP` + three digits; the first digit says the family:
NP0xx about the input itself, NP1xx isolation and DNS, NP2xx what selectors select,
NP3xx the shape of rules, NP4xx order and precedence (Calico tiers, ClusterNetworkPolicy),
NP5xx features a dataplane ignores, NP9xx naming and style. Every rule also has a short
name (`dns-egress`); both work wherever a rule is named.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from ..i18n import messages
from ..model import CalicoPolicy, ClusterNetworkPolicy, Namespace, NetworkPolicy, Pod, Tier
from .finding import Severity

if TYPE_CHECKING:
    from .context import LintContext

_ = messages("npkit").gettext
Subject = Union[NetworkPolicy, CalicoPolicy, ClusterNetworkPolicy, Namespace, Tier, Pod, None]


@dataclass(frozen=True)
class Hit:
    """What a rule found, before the runner adds rule id, severity and line."""

    message: str
    fix: str
    subject: Subject = None  # the object the finding is about (gives kind, name and lines)
    path: str = ""
    severity: Severity | None = None  # None: the rule's own severity


Check = Callable[["LintContext"], Iterable[Hit]]


@dataclass(frozen=True)
class LintRule:
    id: str
    name: str
    severity: Severity  # the usual severity; a Hit may say otherwise (documented per rule)
    summary: str  # one line: what the rule finds (English, marked N_; `title` is it in the current language)
    check: Check
    needs_pods: bool = False  # skipped (and said so) when no pods were loaded

    @property
    def title(self) -> str:
        """The summary in the current language."""
        return _(self.summary)


RULES: dict[str, LintRule] = {}


def lint_rule(id: str, name: str, severity: Severity, summary: str,
              needs_pods: bool = False) -> Callable[[Check], Check]:
    """Register a check function as rule `id`."""

    def register(fn: Check) -> Check:
        if id in RULES or any(r.name == name for r in RULES.values()):
            raise ValueError(f"lint rule {id} / {name} is registered twice")
        RULES[id] = LintRule(id, name, severity, summary, fn, needs_pods)
        return fn

    return register


def resolve(names: Iterable[str]) -> set[str]:
    """Rule ids for ids or names (case-insensitive); ValueError names the unknown ones.

    >>> from npkit.lint import RULES
    >>> sorted(resolve(["np301", "dns-egress"]))
    ['NP101', 'NP301']
    """
    by_name = {r.name: r.id for r in RULES.values()}
    out, unknown = set(), []
    for n in names:
        key = n.strip()
        if key.upper() in RULES:
            out.add(key.upper())
        elif key.lower() in by_name:
            out.add(by_name[key.lower()])
        else:
            unknown.append(n)
    if unknown:
        raise ValueError(_("unknown lint rule {rules}; see `npkit lint --list-rules`").format(rules=", ".join(unknown)))
    return out


def ordered() -> Iterator[LintRule]:
    """Every rule, by id."""
    for key in sorted(RULES):
        yield RULES[key]

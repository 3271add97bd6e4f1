"""The chapter's naming convention: `<action>-<direction>-<source/dest>-to/from-<target>`.

Passing: allow-ingress-frontend-to-backend, deny-egress-to-internet, allow-ingress-from-monitoring.
Actions: allow, deny, pass, log. Directions: ingress, egress. Well-known names pass too:
default-deny, default-deny-ingress / -egress / -all, deny-all, and allow-dns. A Calico tier
prefix (`security.` in `security.block-malicious-ips`, the pre-3.32 naming) is ignored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ...i18n import N_, messages
from ...model import AnyPolicy, CalicoPolicy, ClusterNetworkPolicy, NetworkPolicy
from ..context import LintContext
from ..registry import Hit, lint_rule

_ = messages("npkit").gettext
WORD = r"[a-z0-9]+(?:-[a-z0-9]+)*"
CONVENTION = re.compile(rf"^(allow|deny|pass|log)-(ingress|egress)-(?:{WORD}-)?(to|from)-{WORD}$")
WELL_KNOWN = frozenset({
    "default-deny", "default-deny-ingress", "default-deny-egress", "default-deny-all", "deny-all", "allow-dns",
})
ACTIONS = ("allow", "deny", "pass", "log")
NAME_WORD: dict[str, str] = {"Allow": "allow", "Deny": "deny", "Pass": "pass", "Log": "log"}  # action → name word
SYNONYMS = {"block": "deny", "drop": "deny", "reject": "deny", "permit": "allow", "accept": "allow"}


def follows_convention(name: str) -> bool:
    """Does `name` follow the chapter's convention (or a well-known default name)?

    >>> [follows_convention(n) for n in ("allow-ingress-frontend-to-backend", "deny-egress-to-internet",
    ...                                  "allow-ingress-from-monitoring", "allow-frontend-to-backend")]
    [True, True, True, False]
    """
    return name in WELL_KNOWN or bool(CONVENTION.match(name))


def _directions(policy: AnyPolicy) -> tuple[str, ...]:
    if isinstance(policy, NetworkPolicy):
        return tuple(d.lower() for d in policy.policy_types)
    if isinstance(policy, CalicoPolicy):
        return tuple(d.lower() for d in policy.types)
    return tuple(d for d in ("ingress", "egress") if getattr(policy, d))


def _action(policy: AnyPolicy) -> str:
    if isinstance(policy, NetworkPolicy):
        return "allow" if policy.ingress or policy.egress else "deny"
    if isinstance(policy, ClusterNetworkPolicy):
        verbs = {r.action for r in policy.ingress + policy.egress}
        return "deny" if verbs == {"Deny"} else "pass" if verbs == {"Pass"} else "allow"
    actions = {r.action for r in policy.ingress + policy.egress} - {"Log"}
    return NAME_WORD[next(iter(actions))] if len(actions) == 1 else "allow"


def suggest(name: str, policy: AnyPolicy) -> str | None:
    """A name in the convention built from `name` and what the policy does, when one direction.

    >>> suggest("allow-frontend-to-backend", NetworkPolicy("x", "ns", policy_types=("Ingress",)))
    'allow-ingress-frontend-to-backend'
    >>> suggest("allow-external-db", NetworkPolicy("x", "ns", policy_types=("Egress",)))
    'allow-egress-to-external-db'
    """
    directions = _directions(policy)
    if len(directions) != 1:
        return None
    direction = directions[0]
    words = name.split("-")
    first = SYNONYMS.get(words[0], words[0])
    if first in ACTIONS:
        action, rest = first, words[1:]
    elif any(SYNONYMS.get(w, w) in ACTIONS for w in words):
        return None  # the action is somewhere inside the name: rewording it is the author's call
    else:
        action, rest = _action(policy), words
    rest = [w for w in rest if w not in ("ingress", "egress")]
    if not rest:
        return None
    middle = "-".join(rest)
    if "to" not in rest and "from" not in rest:
        middle = f"{'from' if direction == 'ingress' else 'to'}-{middle}"
    candidate = f"{action}-{direction}-{middle}"
    return candidate if follows_convention(candidate) else None


@lint_rule("NP901", "naming", "info",
           N_("a policy name does not follow <action>-<direction>-<source/dest>-to/from-<target>"))
def naming(ctx: LintContext) -> Iterator[Hit]:
    for policy in ctx.cluster.policies:
        name = policy.name
        if isinstance(policy, CalicoPolicy) and name.startswith(f"{policy.tier}."):
            name = name[len(policy.tier) + 1:]
        if follows_convention(name):
            continue
        better = suggest(name, policy)
        message = _("the name {name} does not follow the convention <action>-<direction>-<source/dest>-to/from-"
                    "<target> (e.g. allow-ingress-frontend-to-backend, deny-egress-to-internet): names that say what a "
                    "policy does make `kubectl get networkpolicy` readable.").format(name=repr(name))
        if better:
            fix = _("rename it, e.g. to {name} (a rename is delete + create: apply the new name before deleting the "
                    "old one)").format(name=better)
        else:
            fix = _("rename it along the convention (a rename is delete + create: apply the new name before deleting "
                    "the old one)")
        yield Hit(message, fix, policy, "metadata.name")

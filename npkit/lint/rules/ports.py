"""Named ports: a name that no pod it is resolved on declares matches nothing."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...engine import CompiledPolicy, CompiledRule, Traffic
from ...engine.matchers.peers import PeerCriterion
from ...engine.matchers.ports import NamedPort, PortCriterion
from ...engine.program import Direction
from ...engine.universe import Universe
from ...i18n import N_, messages
from ...model import ContainerPort, Pod
from ..context import LintContext, listing, pods
from ..registry import Hit, lint_rule

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext


def _targets(ctx: LintContext, policy: CompiledPolicy, rule: CompiledRule,
             direction: Direction) -> tuple[np.ndarray, str]:
    """The pods a destination port resolves on, and how to call them.

    For ingress, the pods the policy selects; for egress, the pods the rule's destination admits.
    """
    u = ctx.engine.universe
    if direction == "Ingress":
        return ctx.engine.subjects[id(policy)] & u.endpoints, _("the pods this policy selects")
    targets = u.endpoints.copy()
    for c in rule.criteria:
        if isinstance(c, PeerCriterion) and c.end == "dst":
            targets &= c.mask(Traffic(), u)  # a peer condition does not look at the traffic
    return targets, _("the destination pods")


def _named_entries(rule: CompiledRule) -> Iterator[tuple[str, NamedPort]]:
    """(field path, entry) of every named port the rule requires at the destination."""
    for c in rule.criteria:
        if isinstance(c, PortCriterion) and c.end == "dst" and not c.negate:
            for i, entry in enumerate(c.entries):
                if isinstance(entry, NamedPort):
                    yield f"{c.path}[{i}]", entry


def _detail(entry: NamedPort, u: Universe, targets: np.ndarray, hit: list[Pod]) -> str:
    """What the pods declare instead: the name under another protocol, or their ports."""
    any_protocol = NamedPort(None, entry.name).resolved(u)
    other = sorted({f"{u.pods[i].key} ({ContainerPort(number, protocol, entry.name)})"
                    for i, protocol, number in any_protocol if targets[i]})
    if other:
        return ngettext("; {pods} names it, but with another protocol", "; {pods} name it, but with another protocol",
                        len(other)).format(pods=listing(other))
    declared = sorted({str(port) for p in hit for port in p.ports})
    if declared:
        return _("; they declare {ports}").format(ports=listing(declared, 6))
    return _("; they declare no container ports at all")


@lint_rule("NP304", "named-port", "error",
           N_("a named port that no container of the pods it is resolved on declares: the port entry matches nothing"),
           needs_pods=True)
def named_port(ctx: LintContext) -> Iterator[Hit]:
    u = ctx.engine.universe
    for policy in ctx.cluster.policies:
        compiled = ctx.compiled(policy)
        if compiled is None:
            continue
        for direction in ("Ingress", "Egress"):
            for rule in compiled.rules(direction):
                targets, whose = _targets(ctx, compiled, rule, direction)
                if not targets.any():
                    continue  # nothing to resolve on: other rules say why
                for path, entry in _named_entries(rule):
                    if any(targets[i] for i, _, _ in entry.resolved(u)):
                        continue
                    hit = [u.pods[i] for i in np.flatnonzero(targets)]
                    if entry.protocol:
                        template = _("named port '{name}' {protocol} matches nothing: none of {whose} ({count}: "
                                     "{pods}) has a {protocol} container port named '{name}'{detail}.")
                    else:
                        template = _("named port '{name}' matches nothing: none of {whose} ({count}: {pods}) has a "
                                     "container port named '{name}'{detail}.")
                    message = template.format(name=entry.name, protocol=entry.protocol, whose=whose,
                                              count=pods(len(hit)), pods=listing([p.key for p in hit]),
                                              detail=_detail(entry, u, targets, hit))
                    fix = _("name the container port in the pod spec (ports: - name: {name}, containerPort: "
                            "<number>), or write the port number instead of the name").format(name=entry.name)
                    yield Hit(message, fix, policy, path)

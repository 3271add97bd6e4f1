"""Named ports: a name that no pod it is resolved on declares matches nothing."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...engine import CompiledPolicy, CompiledRule, Traffic
from ...engine.matchers.peers import PeerCriterion
from ...engine.matchers.ports import NamedPort, PortCriterion
from ...engine.program import Direction
from ...engine.universe import Universe
from ...model import ContainerPort, Pod
from ..context import LintContext, listing, plural
from ..registry import Hit, lint_rule


def _targets(ctx: LintContext, policy: CompiledPolicy, rule: CompiledRule,
             direction: Direction) -> tuple[np.ndarray, str]:
    """The pods a destination port resolves on, and how to call them.

    For ingress, the pods the policy selects; for egress, the pods the rule's destination admits.
    """
    u = ctx.engine.universe
    if direction == "Ingress":
        return ctx.engine.subjects[id(policy)] & u.endpoints, "the pods this policy selects"
    targets = u.endpoints.copy()
    for c in rule.criteria:
        if isinstance(c, PeerCriterion) and c.end == "dst":
            targets &= c.mask(Traffic(), u)  # a peer condition does not look at the traffic
    return targets, "the destination pods"


def _named_entries(rule: CompiledRule) -> Iterator[tuple[str, NamedPort]]:
    """(field path, entry) of every named port the rule requires at the destination."""
    for c in rule.criteria:
        if isinstance(c, PortCriterion) and c.end == "dst" and not c.negate:
            for i, entry in enumerate(c.entries):
                if isinstance(entry, NamedPort):
                    yield f"{c.path}[{i}]", entry


def _detail(entry: NamedPort, u: Universe, targets: np.ndarray, pods: list[Pod]) -> str:
    """What the pods declare instead: the name under another protocol, or their ports."""
    any_protocol = NamedPort(None, entry.name).resolved(u)
    other = sorted({f"{u.pods[i].key} ({ContainerPort(number, protocol, entry.name)})"
                    for i, protocol, number in any_protocol if targets[i]})
    if other:
        verb = "names" if len(other) == 1 else "name"
        return f"; {listing(other)} {verb} it, but with another protocol"
    declared = sorted({str(port) for p in pods for port in p.ports})
    if declared:
        return f"; they declare {listing(declared, 6)}"
    return "; they declare no container ports at all"


@lint_rule("NP304", "named-port", "error",
           "a named port that no container of the pods it is resolved on declares: the port entry matches nothing",
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
                    pods = [u.pods[i] for i in np.flatnonzero(targets)]
                    proto = f" {entry.protocol}" if entry.protocol else ""
                    message = (f"named port '{entry.name}'{proto} matches nothing: none of {whose} "
                               f"({plural(len(pods), 'pod')}: {listing([p.key for p in pods])}) has a"
                               f"{proto} container port named '{entry.name}'{_detail(entry, u, targets, pods)}.")
                    fix = (f"name the container port in the pod spec (ports: - name: {entry.name}, "
                           "containerPort: <number>), or write the port number instead of the name")
                    yield Hit(message, fix, policy, path)

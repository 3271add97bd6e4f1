"""Named ports: a name that no pod it is resolved on declares matches nothing."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from ...engine.matchers.peers import PeerCriterion
from ...engine.matchers.ports import NamedPort, PortCriterion
from ..context import LintContext, listing, plural
from ..registry import Hit, lint_rule


@lint_rule("NP304", "named-port", "error",
           "a named port that no container of the pods it is resolved on declares: the port entry matches nothing",
           needs_pods=True)
def named_port(ctx: LintContext) -> Iterator[Hit]:
    u = ctx.engine.universe
    for policy in ctx.cluster.policies:
        compiled = ctx.compiled(policy)
        if compiled is None:
            continue
        subject = ctx.engine.subjects[id(compiled)] & u.endpoints
        for direction in ("Ingress", "Egress"):
            for rule in compiled.rules(direction):
                # A destination port resolves on the destination: the selected pod for ingress,
                # the pods the rule's destination conditions admit for egress.
                if direction == "Ingress":
                    targets, whose = subject, "the pods this policy selects"
                else:
                    targets, whose = u.endpoints.copy(), "the destination pods"
                    for c in rule.criteria:
                        if isinstance(c, PeerCriterion) and c.end == "dst":
                            targets &= np.asarray(c.mask(None, u), dtype=bool)
                if not targets.any():
                    continue  # nothing to resolve on: other rules say why
                pods = [u.pods[i] for i in np.flatnonzero(targets)]
                for c in rule.criteria:
                    if not isinstance(c, PortCriterion) or c.end != "dst" or c.negate:
                        continue
                    for i, entry in enumerate(c.entries):
                        if not isinstance(entry, NamedPort):
                            continue
                        protocols = (entry.protocol,) if entry.protocol else ("TCP", "UDP", "SCTP")
                        if any(p.named_port(entry.name, proto) is not None for p in pods for proto in protocols):
                            continue
                        proto = f" {entry.protocol}" if entry.protocol else ""
                        other = sorted({f"{p.key} ({port})" for p in pods for port in p.ports
                                        if port.name == entry.name})
                        declared = sorted({str(port) for p in pods for port in p.ports})
                        if other:
                            verb = "names" if len(other) == 1 else "name"
                            detail = f"; {listing(other)} {verb} it, but with another protocol"
                        elif declared:
                            detail = f"; they declare {listing(declared, 6)}"
                        else:
                            detail = "; they declare no container ports at all"
                        message = (f"named port '{entry.name}'{proto} matches nothing: none of {whose} "
                                   f"({plural(len(pods), 'pod')}: {listing([p.key for p in pods])}) has a"
                                   f"{proto} container port named '{entry.name}'{detail}.")
                        fix = (f"name the container port in the pod spec (ports: - name: {entry.name}, "
                               "containerPort: <number>), or write the port number instead of the name")
                        yield Hit(message, fix, policy, f"{c.path}[{i}]")

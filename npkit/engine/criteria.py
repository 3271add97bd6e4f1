"""What a compiled program's rules look at, gathered once: addresses, ports, named ports, protocols.

Consumers that need every value the policies name at once — lint (which addresses outside
the cluster to test), diff (which ports tell two sets of policies apart), connlist (port
classes and IP-range entities) — ask this view of the compiled program instead of walking
each policy family's model, so a new family or field is taught here once.

>>> from npkit.model import Cluster, NetworkPolicy, Rule, Peer, IPBlock, PolicyPort
>>> from npkit.engine import Engine
>>> rule = Rule((Peer(ip_block=IPBlock("10.0.0.0/8", ("10.1.0.0/16",))),), (PolicyPort("UDP", 53),))
>>> c = Engine(Cluster(network_policies=(NetworkPolicy("p", "x", egress=(rule,), policy_types=("Egress",)),))).criteria
>>> c.cidrs, c.port_spans, c.protocols
(('10.0.0.0/8', '10.1.0.0/16'), (PortSpan(protocol='UDP', first=53, last=53),), ('UDP',))
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .matchers.base import Criterion
from .matchers.peers import PeerCriterion
from .matchers.ports import AllPortsOf, NamedPort, PortCriterion, PortNumbers
from .probe import protocol_name
from .universe import Universe

if TYPE_CHECKING:
    from .program import CompiledPolicy


@dataclass(frozen=True, order=True)
class PortSpan:
    """An inclusive range of port numbers of one protocol (a single port has first == last)."""

    protocol: str  # TCP, UDP or SCTP
    first: int
    last: int


@dataclass(frozen=True)
class ProgramCriteria:
    """Every value the rules of a program (enforced and staged policies) name.

    - `cidrs`: each address block as written (ipBlock `cidr` and `except`, Calico `nets` and
      `notNets`, ClusterNetworkPolicy `networks`, the nets of network sets a rule selector
      reaches, node addresses), normalised, without duplicates, IPv4 before IPv6.
    - `port_spans`: each port number or range, per protocol (an entry that leaves the
      protocol to the rule counts for TCP, UDP and SCTP).
    - `named_ports`: each named-port entry; `resolved_named_ports` resolves them on the pods.
    - `protocols`: each protocol a rule names explicitly (`protocol`, `notProtocol`, a
      port entry's protocol), canonical names ("TCP", "ICMP", "47").
    - `icmp`: each (type, code) an `icmp` / `notICMP` match names.
    """

    cidrs: tuple[str, ...] = ()
    port_spans: tuple[PortSpan, ...] = ()
    named_ports: tuple[NamedPort, ...] = ()
    protocols: tuple[str, ...] = ()
    icmp: tuple[tuple[int | None, int | None], ...] = ()

    def resolved_named_ports(self, u: Universe) -> tuple[tuple[int, str, int], ...]:
        """(pod index, protocol, number) for every named port wherever a pod of `u` resolves it."""
        return tuple(sorted({hit for n in self.named_ports for hit in n.resolved(u)}))


class _Collector:
    def __init__(self, u: Universe):
        self.u = u
        self.cidrs: dict[str, None] = {}  # insertion-ordered set
        self.spans: set[PortSpan] = set()
        self.named: dict[NamedPort, None] = {}
        self.protocols: set[str] = set()
        self.icmp: set[tuple[int | None, int | None]] = set()

    def add(self, c: Criterion) -> None:
        if isinstance(c, PeerCriterion):
            for s in c.sets:
                for text in s.named_cidrs(self.u):
                    self.cidrs.setdefault(str(ipaddress.ip_network(text, strict=False)))
        elif isinstance(c, PortCriterion):
            for e in c.entries:
                self._port(e)
        elif c.end is None:
            self._traffic(c)

    def _traffic(self, c: Criterion) -> None:
        # Conditions on the traffic itself come from Calico rules: imported only when there are some.
        from .matchers.traffic import ICMPIs, ProtocolIs

        if isinstance(c, ProtocolIs):
            self.protocols.add(protocol_name(c.protocol))
        elif isinstance(c, ICMPIs):
            self.protocols.add("ICMP")
            self.icmp.add((c.icmp.type, c.icmp.code))

    def _port(self, e: object) -> None:
        if isinstance(e, AllPortsOf):
            self.protocols.add(e.protocol)
        elif isinstance(e, PortNumbers):
            if e.protocol is not None:
                self.protocols.add(e.protocol)
            self.spans.update(PortSpan(p, e.first, e.last) for p in e.protocols())
        elif isinstance(e, NamedPort):
            if e.protocol is not None:
                self.protocols.add(e.protocol)
            self.named.setdefault(e)

    def result(self) -> ProgramCriteria:
        nets = sorted((ipaddress.ip_network(c) for c in self.cidrs),
                      key=lambda n: (n.version, int(n.network_address), n.prefixlen))
        return ProgramCriteria(
            cidrs=tuple(str(n) for n in nets),
            port_spans=tuple(sorted(self.spans)),
            named_ports=tuple(self.named),
            protocols=tuple(sorted(self.protocols)),
            icmp=tuple(sorted(self.icmp, key=lambda tc: (tc[0] is None, tc[0] or 0, tc[1] is None, tc[1] or 0))),
        )


def collect_criteria(policies: Iterable[CompiledPolicy], u: Universe) -> ProgramCriteria:
    """The criteria of every rule of `policies`, both directions; `u` resolves selectors to network sets."""
    out = _Collector(u)
    for policy in policies:
        for rule in policy.ingress + policy.egress:
            for c in rule.criteria:
                out.add(c)
    return out.result()

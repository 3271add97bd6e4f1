"""The traffic that tells two sets of policies apart: one probe per class of equivalent ports.

Every port entry a policy names (a number, a range, a named port resolved on the pods) and
every container port splits the port space into intervals that all policies treat alike;
one port from each interval decides the whole interval. So comparing verdicts on these
probes is exact for port numbers, and `npkit diff` and the shadowing lint can rely on it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Union

from ..engine import Engine, Traffic
from ..model import PROTOCOLS_WITH_PORTS, Cluster

# Inside an interval, show a port people recognise rather than its first number.
FAMILIAR = (80, 443, 8080, 22, 53, 8443, 3000, 5000, 9090, 1024, 65535)
LAST_PORT = 65535


@dataclass
class _Scan:
    """What a cluster's pods and policies say about ports and protocols."""

    spans: set[tuple[int, int]] = field(default_factory=set)  # inclusive port ranges named anywhere
    protocols: set[str] = field(default_factory=set)
    icmp: set[tuple[int | None, int | None]] = field(default_factory=set)  # (type, code) pairs

    def span(self, first: int | None, last: int | None) -> None:
        if first is not None:
            self.spans.add((first, last if last is not None else first))

    @property
    def cuts(self) -> set[int]:
        """Ports where a new interval of alike ports starts."""
        out = {1}
        for first, last in self.spans:
            out.update((first, last + 1))
        return {c for c in out if c <= LAST_PORT}


World = Union[Cluster, Engine]  # an engine already built for a cluster saves compiling it again


def _scan(worlds: Iterable[World]) -> _Scan:
    """One scan over all of `worlds`."""
    scan = _Scan()
    for world in worlds:
        _scan_one(world if isinstance(world, Engine) else Engine(world), scan)
    return scan


def _scan_one(engine: Engine, scan: _Scan) -> None:
    for pod in engine.cluster.pods:
        for port in pod.ports:
            scan.protocols.add(port.protocol)
            scan.span(port.port, port.port)
    criteria = engine.criteria
    scan.protocols.update(criteria.protocols)
    scan.icmp.update(criteria.icmp)
    for span in criteria.port_spans:
        scan.span(span.first, span.last)


def representative_ports(clusters: Iterable[World]) -> tuple[int, ...]:
    """One port per interval of ports that every policy of `clusters` treats alike, ascending.

    >>> from npkit.model import Cluster, NetworkPolicy, Rule, PolicyPort
    >>> pol = NetworkPolicy("p", "x", ingress=(Rule(ports=(PolicyPort("TCP", 5000, 5002),)),))
    >>> representative_ports([Cluster(network_policies=(pol,))])
    (80, 5000, 8080)
    """
    return _representatives(_scan(clusters))


def _representatives(scan: _Scan) -> tuple[int, ...]:
    bounds = sorted(scan.cuts) + [LAST_PORT + 1]
    out = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        familiar = [p for p in FAMILIAR if start <= p < end]
        out.append(familiar[0] if familiar else start)
    return tuple(sorted(out))


def probe_ports(clusters: Iterable[World]) -> list[tuple[int | None, str]]:
    """(port, protocol) probes for `compare`: every representative port over TCP and UDP (and
    SCTP when anything names it), plus ICMP.

    >>> from npkit.model import Cluster
    >>> probe_ports([Cluster()])
    [(80, 'TCP'), (80, 'UDP'), (None, 'ICMP')]
    """
    return _probe_ports(_scan(clusters))


def _probe_ports(scan: _Scan) -> list[tuple[int | None, str]]:
    protocols = {"TCP", "UDP"} | scan.protocols
    out: list[tuple[int | None, str]] = [
        (p, proto) for p in _representatives(scan) for proto in PROTOCOLS_WITH_PORTS if proto in protocols
    ]
    return out + [(None, "ICMP")]


def probe_traffic(clusters: Iterable[World]) -> tuple[Traffic, ...]:
    """Like `probe_ports`, as Traffic, with one ICMP probe per ICMP type and code a rule names."""
    scan = _scan(clusters)
    icmp = {(8, 0)} | scan.icmp  # echo request: what ping sends
    ported = [Traffic(proto, port) for port, proto in _probe_ports(scan) if port is not None]
    icmp_order = sorted(icmp, key=lambda tc: (tc[0] or 0, tc[1] or 0))
    pings = [Traffic("ICMP", icmp_type=t, icmp_code=c) for t, c in icmp_order]
    return tuple(ported + pings)


def unused_port(clusters: Iterable[World]) -> int:
    """A port that no policy names and no container declares: traffic no rule singles out.

    >>> from npkit.model import Cluster, Pod, ContainerPort
    >>> unused_port([Cluster(pods=(Pod("a", "x", ports=(ContainerPort(80),)),))])
    443
    """
    spans = _scan(clusters).spans
    for port in FAMILIAR + tuple(range(1, LAST_PORT + 1)):
        if not any(first <= port <= last for first, last in spans):
            return port
    return LAST_PORT  # every port is named somewhere: any port is as good as another

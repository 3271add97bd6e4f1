"""Traffic classes: the few kinds of traffic that stand for all protocols and ports at once.

The engine's criteria view (`Engine.criteria`) lists every port, range, named port, protocol
and ICMP type the policies name. Cutting each protocol's port line at those values (named ports
at the number each pod resolves them to) gives intervals inside which no rule can tell two
ports apart, so one representative port decides the whole interval, for every pod at once: the
cuts of all pods together refine each destination's own. Protocols without ports split the same
way: each protocol a rule names is a class (ICMP and ICMPv6 further by the types and codes rules
name), and every protocol nobody names is one more class, "other protocols".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..engine import Engine, ProgramCriteria, Traffic, protocol_number
from ..model import PROTOCOLS_WITH_PORTS

LAST_PORT = 65535
LAST_ICMP = 255  # ICMP types and codes are one byte
ICMP_PROTOCOLS = ("ICMP", "ICMPv6")
OTHER = "other"  # the class of every protocol no rule names


@dataclass(frozen=True)
class TrafficClass:
    """Traffic the policies cannot tell apart: one protocol, and a range of its ports or ICMP types.

    `first`/`last` are ports for TCP/UDP/SCTP and ICMP types for ICMP/ICMPv6 (None for other
    protocols); `codes` is the range of ICMP codes when a rule names codes of this type.
    `traffic` is the representative the engine is asked about.
    """

    protocol: str
    first: int | None
    last: int | None
    traffic: Traffic
    codes: tuple[int, int] | None = None

    @property
    def ported(self) -> bool:
        return self.protocol in PROTOCOLS_WITH_PORTS


def _intervals(cuts: Iterable[int], first: int, last: int) -> list[tuple[int, int]]:
    """[first, last] cut before every value in `cuts`.

    >>> _intervals([80, 81, 443, 444], 1, 65535)
    [(1, 79), (80, 80), (81, 442), (443, 443), (444, 65535)]
    """
    bounds = sorted({first, *(c for c in cuts if first < c <= last)})
    return [(a, b - 1) for a, b in zip(bounds, [*bounds[1:], last + 1], strict=True)]


def _port_cuts(criteria: ProgramCriteria, engine: Engine) -> dict[str, set[int]]:
    cuts: dict[str, set[int]] = {p: set() for p in PROTOCOLS_WITH_PORTS}
    for span in criteria.port_spans:
        cuts[span.protocol].update((span.first, span.last + 1))
    for _, protocol, number in criteria.resolved_named_ports(engine.universe):
        cuts[protocol].update((number, number + 1))
    return cuts


def _icmp_classes(protocol: str, criteria: ProgramCriteria) -> list[TrafficClass]:
    named_types: dict[int, set[int]] = {}
    for icmp_type, code in criteria.icmp:
        if icmp_type is not None:
            codes = named_types.setdefault(icmp_type, set())
            if code is not None:
                codes.add(code)
    type_cuts = {c for t in named_types for c in (t, t + 1)}
    out = []
    for first, last in _intervals(type_cuts, 0, LAST_ICMP):
        codes = named_types.get(first, set()) if first == last else set()
        if not codes:
            out.append(TrafficClass(protocol, first, last, Traffic(protocol, icmp_type=first, icmp_code=0)))
            continue
        for c_first, c_last in _intervals({c for code in codes for c in (code, code + 1)}, 0, LAST_ICMP):
            traffic = Traffic(protocol, icmp_type=first, icmp_code=c_first)
            out.append(TrafficClass(protocol, first, last, traffic, (c_first, c_last)))
    return out


def _unnamed_protocol(named: Iterable[str]) -> str:
    """A protocol number that no rule names and that has no ports, to stand for all such protocols."""
    taken = {protocol_number(p) for p in (*named, *PROTOCOLS_WITH_PORTS, *ICMP_PROTOCOLS)}
    return str(next(n for n in range(2, 256) if n not in taken))


def traffic_classes(engine: Engine) -> tuple[TrafficClass, ...]:
    """Every class of traffic the engine's policies can tell apart, in output order.

    >>> from npkit.model import Cluster, NetworkPolicy, Rule, PolicyPort
    >>> rule = Rule(ports=(PolicyPort("TCP", 80),))
    >>> e = Engine(Cluster(network_policies=(NetworkPolicy("p", "x", ingress=(rule,)),)))
    >>> [(c.protocol, c.first, c.last) for c in traffic_classes(e)]
    [('SCTP', 1, 65535), ('TCP', 1, 79), ('TCP', 80, 80), ('TCP', 81, 65535), ('UDP', 1, 65535), ('other', None, None)]
    """
    criteria = engine.criteria
    out: list[TrafficClass] = []
    for protocol, cuts in sorted(_port_cuts(criteria, engine).items()):
        out += [TrafficClass(protocol, a, b, Traffic(protocol, a)) for a, b in _intervals(cuts, 1, LAST_PORT)]
    named = [p for p in criteria.protocols if p not in PROTOCOLS_WITH_PORTS]
    if criteria.icmp:  # an icmp match holds for ICMP and ICMPv6 alike
        named = sorted({*named, *ICMP_PROTOCOLS})
    for protocol in named:
        if protocol in ICMP_PROTOCOLS:
            out += _icmp_classes(protocol, criteria)
        else:
            out.append(TrafficClass(protocol, None, None, Traffic(protocol)))
    out.append(TrafficClass(OTHER, None, None, Traffic(_unnamed_protocol(named))))
    return tuple(out)

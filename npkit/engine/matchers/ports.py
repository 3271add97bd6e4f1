"""Rule conditions on protocol and port: numbers, ranges, whole protocols and named ports.

Named ports are resolved on the pod at the matched end (for destination ports, the
destination pod — the selected pod for ingress, the peer for egress); an address outside
the cluster has no named ports, so a named port never matches it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

from ...i18n import messages
from ...model import PROTOCOLS_WITH_PORTS
from ..probe import Endpoint, Probe, Traffic
from ..universe import Mask, Universe
from .base import Check, Criterion, End

_ = messages("npkit").gettext


class PortMatcher(ABC):
    """One port entry."""

    @abstractmethod
    def check(self, traffic: Traffic, port: int | None, ep: Endpoint) -> tuple[bool, str]: ...

    @abstractmethod
    def mask(self, traffic: Traffic, port: int | None, u: Universe) -> Mask | bool: ...

    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def protocols(self) -> tuple[str, ...]:
        """The protocols this entry can match (TCP, UDP, SCTP)."""


def _protocol_ok(protocol: str | None, traffic: Traffic) -> bool:
    return traffic.has_ports and (protocol is None or protocol == traffic.protocol)


@dataclass(frozen=True)
class AllPortsOf(PortMatcher):
    """`protocol: UDP` without a port: every port of that protocol."""

    protocol: str

    def check(self, traffic: Traffic, port: int | None, ep: Endpoint) -> tuple[bool, str]:
        if traffic.protocol == self.protocol:
            return True, _("any {protocol} port matches {traffic}").format(protocol=self.protocol, traffic=traffic)
        return False, _("allows {protocol} only, the probe is {actual}").format(protocol=self.protocol,
                                                                                 actual=traffic.protocol)

    def mask(self, traffic: Traffic, port: int | None, u: Universe) -> bool:
        return traffic.protocol == self.protocol

    def describe(self) -> str:
        return _("{protocol} (every port)").format(protocol=self.protocol)

    def protocols(self) -> tuple[str, ...]:
        return (self.protocol,)


@dataclass(frozen=True)
class PortNumbers(PortMatcher):
    """A port or inclusive range; `protocol` None means whichever protocol the rule names."""

    protocol: str | None
    first: int
    last: int

    def describe(self) -> str:
        numbers = str(self.first) if self.first == self.last else f"{self.first}-{self.last}"
        return f"{self.protocol}/{numbers}" if self.protocol else numbers

    def protocols(self) -> tuple[str, ...]:
        return (self.protocol,) if self.protocol else PROTOCOLS_WITH_PORTS

    def check(self, traffic: Traffic, port: int | None, ep: Endpoint) -> tuple[bool, str]:
        if not _protocol_ok(self.protocol, traffic):
            return False, _("is {entry}, the probe is {actual}").format(entry=self.describe(), actual=traffic)
        if port is None:
            return False, _("is {entry}, but the probe's port is unknown").format(entry=self.describe())
        if self.first <= port <= self.last:
            return True, _("{entry} matches port {port}").format(entry=self.describe(), port=port)
        return False, _("is {entry}, the probe is {actual}").format(entry=self.describe(),
                                                                     actual=f"{traffic.protocol}/{port}")

    def mask(self, traffic: Traffic, port: int | None, u: Universe) -> bool:
        return _protocol_ok(self.protocol, traffic) and port is not None and self.first <= port <= self.last


@dataclass(frozen=True)
class NamedPort(PortMatcher):
    """A container port name, resolved on the endpoint; `protocol` None means the probe's."""

    protocol: str | None
    name: str

    def describe(self) -> str:
        if self.protocol is None:
            return _("named port {name} (any protocol)").format(name=self.name)
        return _("named port {name} ({protocol})").format(name=self.name, protocol=self.protocol)

    def protocols(self) -> tuple[str, ...]:
        return (self.protocol,) if self.protocol else PROTOCOLS_WITH_PORTS

    def resolved(self, u: Universe) -> tuple[tuple[int, str, int], ...]:
        """(pod index, protocol, port number) wherever a pod of `u` resolves the name.

        >>> from npkit.model import Cluster, ContainerPort, Pod
        >>> u = Universe(Cluster(pods=(Pod("a", "x", ports=(ContainerPort(8080, "TCP", "http"),)),)))
        >>> NamedPort(None, "http").resolved(u)
        ((0, 'TCP', 8080),)
        """
        out = []
        for i, pod in enumerate(u.pods):
            for protocol in self.protocols():
                number = pod.named_port(self.name, protocol)
                if number is not None:
                    out.append((i, protocol, number))
        return tuple(out)

    def check(self, traffic: Traffic, port: int | None, ep: Endpoint) -> tuple[bool, str]:
        entry = self.describe()
        if not _protocol_ok(self.protocol, traffic):
            return False, _("is {entry}, the probe is {actual}").format(entry=entry, actual=traffic)
        if ep.pod is None:
            return False, _("is {entry}, but {endpoint} is not a pod, so the name cannot be resolved").format(
                entry=entry, endpoint=ep)
        number = ep.pod.named_port(self.name, traffic.protocol)
        if number is None:
            if ep.pod.ports:
                template = _("is {entry}, which {endpoint} does not declare for {protocol} (it declares {ports})")
            else:
                template = _("is {entry}, which {endpoint} does not declare for {protocol} (it declares no ports)")
            return False, template.format(entry=entry, endpoint=ep, protocol=traffic.protocol,
                                          ports=", ".join(str(p) for p in ep.pod.ports))
        if number != port:
            return False, _("is {entry}, which {endpoint} resolves to {protocol}/{number}, not {port}").format(
                entry=entry, endpoint=ep, protocol=traffic.protocol, number=number, port=port)
        if self.protocol is None:
            template = _("{entry} resolves to {protocol}/{number} on {endpoint}; the rule has no protocol, so any "
                         "protocol matches")
        else:
            template = _("{entry} resolves to {protocol}/{number} on {endpoint}")
        return True, template.format(entry=entry, protocol=traffic.protocol, number=number, endpoint=ep)

    def mask(self, traffic: Traffic, port: int | None, u: Universe) -> Mask | bool:
        if not _protocol_ok(self.protocol, traffic) or port is None:
            return False
        hits: Mask = u.named_port_numbers(self.name, traffic.protocol) == port
        return hits


@dataclass(frozen=True)
class PortCriterion(Criterion):
    """The packet's destination (or source) port matches any of `entries`, or none when `negate`."""

    entries: tuple[PortMatcher, ...]
    field: str = "ports"
    path: str = ""
    end: End = "dst"
    negate: bool = False

    @property
    def reads_traffic(self) -> bool:
        return True  # the port is read off the traffic (a named port on the pod at `end`)

    def _port(self, traffic: Traffic) -> int | None:
        return traffic.port if self.end == "dst" else traffic.src_port

    def test(self, probe: Probe, u: Universe) -> Check:
        ep = self.endpoint(probe)
        port = self._port(probe.traffic)
        reasons = []
        for i, e in enumerate(self.entries):
            ok, why = e.check(probe.traffic, port, ep)
            if ok:
                if self.negate:
                    return Check(False, _("{entry} excludes it: {why}").format(entry=f"{self.field}[{i}]", why=why),
                                 self.path)
                return Check(True, _("{entry}: {why}").format(entry=f"{self.field}[{i}]", why=why), f"{self.path}[{i}]")
            reasons.append(f"{self.field}[{i}] {why}")  # "ports[0] is TCP/80, the probe is UDP/53"
        if self.negate:
            return Check(True, _("{field}: port is not excluded").format(field=self.field), self.path)
        if self.end == "src" and port is None:
            text = _("{field}: the probe's source port is not known (the kernel picks one)").format(field=self.field)
            return Check(False, text, self.path)
        return Check(False, _("; ").join(reasons), self.path)

    def mask(self, traffic: Traffic, u: Universe) -> Mask | bool:
        port = self._port(traffic)
        out: Mask | bool = False
        for e in self.entries:
            m = e.mask(traffic, port, u)
            if m is True:
                out = True
                break
            if m is not False:
                out = m if out is False else (out | m)
        if self.negate:
            return (not out) if isinstance(out, bool) else ~out
        return out

    def describe(self) -> str:
        inner = _(" or ").join(e.describe() for e in self.entries)
        template = _("{field} not ({sets})") if self.negate else _("{field} {sets}")
        return template.format(field=self.field, sets=inner)

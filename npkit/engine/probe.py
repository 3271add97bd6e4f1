"""What is being asked: a connection attempt from one endpoint to another."""

from __future__ import annotations

from dataclasses import dataclass

from ..i18n import messages
from ..model import PROTOCOLS_WITH_PORTS, Pod

_ = messages("npkit").gettext

# IANA protocol numbers; Calico rules may name a protocol or give its number.
PROTOCOL_NUMBERS: dict[str, int] = {
    "ICMP": 1, "TCP": 6, "UDP": 17, "ICMPv6": 58, "SCTP": 132, "UDPLite": 136,
}


def protocol_number(protocol: str | int) -> int:
    """IANA number of a protocol name or number.

    >>> protocol_number("UDP"), protocol_number(132), protocol_number("tcp")
    (17, 132, 6)
    """
    if isinstance(protocol, int):
        return protocol
    if protocol.isdigit():
        return int(protocol)
    for name, number in PROTOCOL_NUMBERS.items():
        if name.lower() == protocol.lower():
            return number
    raise ValueError(_("unknown protocol {protocol}; use one of {protocols} or a number").format(
        protocol=repr(protocol), protocols=", ".join(PROTOCOL_NUMBERS)))


def protocol_name(protocol: str | int) -> str:
    """Canonical name of a protocol ("tcp" → "TCP", 17 → "UDP", 47 → "47")."""
    number = protocol_number(protocol)
    for name, n in PROTOCOL_NUMBERS.items():
        if n == number:
            return name
    return str(number)


@dataclass(frozen=True)
class Traffic:
    """Everything about a probe except its two ends: protocol, destination port, ICMP, HTTP."""

    protocol: str = "TCP"
    port: int | None = None
    icmp_type: int | None = None
    icmp_code: int | None = None
    http_method: str | None = None
    http_path: str | None = None
    src_port: int | None = None  # unknown unless given: the kernel picks an ephemeral port

    def __post_init__(self) -> None:
        object.__setattr__(self, "protocol", protocol_name(self.protocol))

    @property
    def has_ports(self) -> bool:
        return self.protocol in PROTOCOLS_WITH_PORTS

    def __str__(self) -> str:
        if self.has_ports:
            text = f"{self.protocol}/{self.port}" if self.port is not None else self.protocol
        elif self.icmp_type is not None:
            code = f" code {self.icmp_code}" if self.icmp_code is not None else ""
            text = f"{self.protocol} type {self.icmp_type}{code}"
        else:
            text = self.protocol
        if self.http_method or self.http_path:
            text += f" HTTP {self.http_method or '*'} {self.http_path or '/'}"
        return text


@dataclass(frozen=True)
class Endpoint:
    """One end of a connection: a pod of the cluster, or an address outside it."""

    key: str  # "namespace/name" for pods, the address otherwise
    ip: str
    pod: Pod | None = None
    index: int | None = None  # the pod's position in the engine's universe

    @property
    def is_pod(self) -> bool:
        return self.pod is not None

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class Probe:
    """A new connection attempt: source, destination and traffic."""

    src: Endpoint
    dst: Endpoint
    traffic: Traffic

    @property
    def is_self(self) -> bool:
        return self.src.is_pod and self.src.key == self.dst.key

    def __str__(self) -> str:
        return f"{self.src} → {self.dst} {self.traffic}"

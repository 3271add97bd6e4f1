"""Addresses outside the cluster as ranges: the pieces the policies' address blocks cut the address space into.

Every address block a rule names (the engine's `criteria.cidrs`: ipBlocks with their excepts,
Calico nets and notNets, network sets, ClusterNetworkPolicy networks) starts and ends somewhere;
between two such boundaries every address is inside the same blocks, so one address that no pod
uses decides the whole range. IPv6 is cut only when a block or a pod is IPv6.
"""

from __future__ import annotations

import bisect
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from ..model.addresses import ipv4_value

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass(frozen=True)
class AddressRange:
    """The addresses `first` to `last` (inclusive); `probe` is one of them that no pod has."""

    first: Address
    last: Address
    probe: str

    @property
    def name(self) -> str:
        """How netpol-analyzer names an address range, e.g. `0.0.0.0-9.255.255.255`."""
        return f"{self.first}-{self.last}"


def _parsed(pod_ips: Iterable[str]) -> list[tuple[int, int]]:
    """(IP version, number) of each pod address that is one."""
    out = []
    for ip in pod_ips:
        number = ipv4_value(ip)
        if number is not None:
            out.append((4, number))
            continue
        try:
            addr = ipaddress.ip_address(ip)
        except ValueError:
            continue
        out.append((addr.version, int(addr)))
    return out


def _unused(first: int, last: int, taken: list[int]) -> int | None:
    """The lowest address in [first, last] not in `taken` (sorted), or None if every one is."""
    candidate = first
    i = bisect.bisect_left(taken, candidate)
    while i < len(taken) and taken[i] == candidate:
        candidate += 1
        i += 1
    return candidate if candidate <= last else None


def address_ranges(cidrs: Iterable[str], pod_ips: Iterable[str]) -> list[AddressRange]:
    """The ranges `cidrs` cut the address space into, each with an address no pod has.

    Ranges made only of pod addresses are left out: there is nothing outside the cluster in them.

    >>> [r.name for r in address_ranges(["10.0.0.0/16", "10.0.1.0/24"], ["10.0.0.1"])]
    ['0.0.0.0-9.255.255.255', '10.0.0.0-10.0.0.255', '10.0.1.0-10.0.1.255', '10.0.2.0-10.0.255.255', \
'10.1.0.0-255.255.255.255']
    >>> address_ranges([], ["0.0.0.0"])[0].probe
    '0.0.0.1'
    """
    cidrs = list(cidrs)
    addresses = _parsed(pod_ips)
    families = {4, *(v for v, _ in addresses), *(ipaddress.ip_network(c, strict=False).version for c in cidrs)}
    out = []
    for version in sorted(families):
        size = 2 ** (32 if version == 4 else 128)
        bounds = {0, size}
        for text in cidrs:
            net = ipaddress.ip_network(text, strict=False)
            if net.version == version:
                bounds.update((int(net.network_address), int(net.broadcast_address) + 1))
        taken = sorted(number for v, number in addresses if v == version)
        edges = sorted(bounds)
        for start, end in zip(edges, edges[1:], strict=False):
            probe = _unused(start, end - 1, taken)
            if probe is not None:
                make = ipaddress.IPv4Address if version == 4 else ipaddress.IPv6Address
                out.append(AddressRange(make(start), make(end - 1), str(make(probe))))
    return out

"""Deterministic pod IPs for pods whose YAML has no `status.podIP`.

Each such pod gets an address in 10.244.0.0/16 (kind's default pod range) chosen by a hash of
`namespace/name`, moving to the next free address when taken (linear probing). Pods are placed
in sorted order, so the result does not depend on the order of the input, and a pod keeps its
address when unrelated pods are added unless one of them hashes onto it (about one chance in
65,000 per added pod). Addresses given explicitly are never reused, and host parts .0 and .255
are never used, so an address never looks like a network or broadcast.

Linear probing stays fast while at most half the range is used. Inputs with more pods than
that (32,512 in 10.244.0.0/16) are placed in 10.0.0.0/8 instead, which holds 8.3 million at that
load; an input larger still is refused with a message saying how to give pods addresses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import replace

from npkit.errors import InputError
from npkit.i18n import messages
from npkit.model import Pod

POD_RANGE = ipaddress.IPv4Network("10.244.0.0/16")  # kind's default pod range: small inputs go here
LARGE_POD_RANGE = ipaddress.IPv4Network("10.0.0.0/8")
_HOSTS_PER_BLOCK = 254  # .1 to .254 in each /24
_MAX_LOAD = 0.5  # fraction of a range's addresses in use beyond which probing slows down


def _slots(network: ipaddress.IPv4Network) -> int:
    return (network.num_addresses // 256) * _HOSTS_PER_BLOCK


def _slot_address(network: ipaddress.IPv4Network, slot: int) -> str:
    block, host = divmod(slot, _HOSTS_PER_BLOCK)
    return str(network.network_address + block * 256 + host + 1)


def _home_slot(key: str) -> int:
    """Where `key` starts probing (reduced modulo the range's slots by the caller)."""
    import hashlib  # here: loading OpenSSL costs 2 ms, and most inputs give every pod its address

    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big")


def pod_range(needing: int, taken: Iterable[str] = ()) -> ipaddress.IPv4Network:
    """The range that `needing` pods without an address go to, given the addresses already `taken`.

    >>> pod_range(3), pod_range(40_000)
    (IPv4Network('10.244.0.0/16'), IPv4Network('10.0.0.0/8'))
    """
    taken = list(taken)
    for network in (POD_RANGE, LARGE_POD_RANGE):
        used = sum(1 for ip in taken if _inside(ip, network))
        if needing + used <= _slots(network) * _MAX_LOAD:
            return network
    limit = int(_slots(LARGE_POD_RANGE) * _MAX_LOAD)
    _ = messages("npkit").gettext
    raise InputError(message=_(
        "{n} pods have no status.podIP; npkit gives addresses to at most {limit} of them. Give the pods addresses "
        "(status.podIP, as `kubectl get pods -o yaml` shows them)").format(n=f"{needing:,}", limit=f"{limit:,}"))


def range_of(assigned: Iterable[Pod]) -> ipaddress.IPv4Network:
    """The range `assign_pod_ips` placed these pods in."""
    return POD_RANGE if all(_inside(p.ip, POD_RANGE) for p in assigned) else LARGE_POD_RANGE


def _inside(ip: str, network: ipaddress.IPv4Network) -> bool:
    try:
        return ipaddress.ip_address(ip) in network
    except ValueError:
        return False


def assign_pod_ips(pods: Iterable[Pod]) -> tuple[list[Pod], list[Pod]]:
    """Give every pod without an IP a deterministic one.

    Returns (all pods in input order, the pods that received an address).

    >>> pods, assigned = assign_pod_ips([Pod("a", "x"), Pod("b", "x", ip="10.244.7.7")])
    >>> pods[0].ip, pods[0].ip_assigned, [p.key for p in assigned]
    ('10.244.249.214', True, ['x/a'])
    """
    pods = list(pods)
    taken = {p.ip for p in pods if p.ip}
    needing = sorted((p.key, i) for i, p in enumerate(pods) if not p.ip)
    if not needing:
        return pods, []
    network = pod_range(len(needing), taken)
    slots = _slots(network)
    assigned = []
    for key, index in needing:
        slot = _home_slot(key) % slots
        while (address := _slot_address(network, slot)) in taken:
            slot = (slot + 1) % slots
        taken.add(address)
        pods[index] = replace(pods[index], ip=address, ip_assigned=True)
        assigned.append(pods[index])
    return pods, assigned

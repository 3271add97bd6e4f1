"""Deterministic pod IPs for pods whose YAML has no `status.podIP`.

Each such pod gets an address in 10.244.0.0/16 (kind's default pod range) chosen by a hash
of `namespace/name`, moving to the next free address when taken (linear probing). Pods are
placed in sorted order, so the result does not depend on the order of the input, and a pod
keeps its address when unrelated pods are added unless one of them hashes onto it (about
one chance in 65,000 per added pod). Addresses given explicitly are never reused, and host
parts .0 and .255 are never used, so an address never looks like a network or broadcast.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Iterable
from dataclasses import replace

from npkit.model import Pod

POD_RANGE = ipaddress.IPv4Network("10.244.0.0/16")
_HOSTS_PER_BLOCK = 254  # .1 to .254 in each /24
_SLOTS = (POD_RANGE.num_addresses // 256) * _HOSTS_PER_BLOCK


def _slot_address(slot: int) -> str:
    block, host = divmod(slot, _HOSTS_PER_BLOCK)
    return str(POD_RANGE.network_address + block * 256 + host + 1)


def _home_slot(key: str) -> int:
    digest = hashlib.sha256(key.encode()).digest()
    return int.from_bytes(digest[:8], "big") % _SLOTS


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
    if len(taken) + len(needing) > _SLOTS:
        raise ValueError(f"more than {_SLOTS} pods without status.podIP; give them addresses")
    assigned = []
    for key, index in needing:
        slot = _home_slot(key)
        while _slot_address(slot) in taken:
            slot = (slot + 1) % _SLOTS
        address = _slot_address(slot)
        taken.add(address)
        pods[index] = replace(pods[index], ip=address, ip_assigned=True)
        assigned.append(pods[index])
    return pods, assigned

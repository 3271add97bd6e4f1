"""Calico `Log` rule lines from the kernel log, attributed to the lab's pods by interface.

kind nodes are containers: they share the host's kernel, hence one kernel log. Reading `dmesg`
once (in any node) sees every node's lines — and those of other clusters on the same host. A
line belongs to this lab when its `IN=` or `OUT=` interface is the host side of one of the lab's
pods: Calico names it `cali` + the first 11 hex digits of sha1("<namespace>.<pod>") (Calico's
`VethNameForWorkload`), so it is known without asking the cluster.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..i18n import messages

_ = messages("npkit-tools").gettext

LOG_PREFIX = "calico-packet"  # Felix's default LogPrefix; its LOG rules print "calico-packet: IN=..."
_FIELD = re.compile(r"\b(IN|OUT)=(\S*)")


def calico_interface(namespace: str, pod: str) -> str:
    """The host-side interface Calico's CNI plugin gives a pod.

    >>> calico_interface("default", "web")
    'cali68caf03a5f4'
    """
    return "cali" + hashlib.sha1(f"{namespace}.{pod}".encode()).hexdigest()[:11]  # noqa: S324 - Calico's naming


@dataclass(frozen=True)
class PodPlace:
    """A lab pod (`namespace/name`) and the node it runs on."""

    key: str
    node: str


def attribute(log: str, pods: Iterable[PodPlace]) -> list[str]:
    """The lab's `calico-packet` lines, each led by the node that logged it and the pods it names.

    The node is the one of the pod on the receiving side of the hook that logged (`IN=` for the
    sender's egress, else `OUT=` for the receiver's ingress).
    """
    by_iface: Mapping[str, PodPlace] = {calico_interface(*p.key.split("/", 1)): p for p in pods}
    out = []
    for line in log.splitlines():
        if LOG_PREFIX not in line:
            continue
        fields = dict(_FIELD.findall(line))
        src, dst = by_iface.get(fields.get("IN", "")), by_iface.get(fields.get("OUT", ""))
        place = src or dst
        if place is None:
            continue  # another cluster's or another lab's packet
        names = " → ".join(p.key if p else _("(outside)") for p in (src, dst))
        out.append(f"{place.node} [{names}] {line.strip()}")
    return out

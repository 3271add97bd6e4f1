"""Names of everything the local backend creates, so that cleanup can find it again.

Every network namespace of lab `L` starts with `npk-L.` (lab names cannot contain a dot,
so one lab's prefix never matches another's). Interfaces keep to the kernel's 15
characters the way Calico does (`cali` + 11 hex digits): `npk` + 10 hex digits.

>>> node_netns("demo"), pod_netns("demo", "x/web"), len(host_iface("demo", "x/web"))
('npk-demo.node', 'npk-demo.x.web', 13)
"""

from __future__ import annotations

import hashlib
import re

NETNS_ROOT = "npk-"
LAB_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,23}$")
_MAX_NETNS = 60  # readable in `ip netns list`; longer pod names are shortened with a hash


def lab_name(lab_id: str) -> str:
    """A lab id (any label value) as a name usable in namespace names: lower case, no dots.

    >>> lab_name("lab-01"), lab_name("Lab_01.x")
    ('lab-01', 'lab-01-x-170eb3')
    """
    clean = re.sub(r"[^a-z0-9-]", "-", lab_id.lower()).strip("-") or "lab"
    if clean == lab_id and len(clean) <= 24:
        return clean
    return f"{clean[:17].strip('-')}-{hashlib.sha1(lab_id.encode()).hexdigest()[:6]}"


def netns_prefix(lab: str) -> str:
    return f"{NETNS_ROOT}{lab}."


def node_netns(lab: str) -> str:
    """The namespace that plays the node: veths, routes and the nftables ruleset live here."""
    return f"{netns_prefix(lab)}node"


def pod_netns(lab: str, key: str) -> str:
    """The pod's own namespace, `npk-<lab>.<namespace>.<pod>`."""
    ns, _, name = key.partition("/")
    full = f"{netns_prefix(lab)}{ns}.{name}"
    if len(full) <= _MAX_NETNS:
        return full
    return full[: _MAX_NETNS - 9] + "~" + _digest(lab, key)[:8]


def host_iface(lab: str, key: str) -> str:
    """The node-side end of the pod's veth (the pod side is always `eth0`)."""
    return "npk" + _digest(lab, key)[:10]


def lab_of_netns(name: str) -> str | None:
    """The lab a namespace name belongs to, or None if npkit did not name it."""
    if not name.startswith(NETNS_ROOT) or "." not in name:
        return None
    lab = name[len(NETNS_ROOT):].split(".", 1)[0]
    return lab if LAB_NAME.match(lab) else None


def _digest(lab: str, key: str) -> str:
    return hashlib.sha1(f"{lab}/{key}".encode()).hexdigest()

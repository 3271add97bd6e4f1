"""Kubernetes Node (v1): its labels and `status.addresses`, which ClusterNetworkPolicy `nodes` peers match.

Only what a `nodes` peer looks at is kept (network-policy-api v0.2.0: "It selects the nodeIPs
as the peer type by matching on the IPs present in the node.Status.Addresses field"); `spec`
and the rest of `status` are accepted as they are and ignored.
"""

from __future__ import annotations

from npkit.i18n import messages
from npkit.model import NODE_IP_TYPES, Node, NodeAddress

from . import validation
from .fields import Fields
from .kinds import Manifest, register

_ = messages("npkit").gettext
ADDRESS_FIELDS = frozenset({"type", "address"})
ADDRESS_TYPES = ("Hostname", "InternalIP", "ExternalIP", "InternalDNS", "ExternalDNS")  # core/v1 NodeAddressType


@register("", "Node", ("v1",), namespaced=False, top_fields={"apiVersion", "kind", "metadata", "spec", "status"})
def load_node(obj: Manifest) -> list[Node]:
    """A Node: name, labels and the addresses its status reports."""
    obj.root.get_map("spec", None)  # free-form to npkit (podCIDR, taints, ...)
    status = obj.root.get_map("status", None)
    addresses = _read_addresses(status) if status is not None else []
    node = Node(obj.meta.name, dict(obj.meta.labels), tuple(addresses), obj.origin)
    if not node.ips:
        obj.report.warning(_("this Node has no InternalIP or ExternalIP in status.addresses, so no "
                             "ClusterNetworkPolicy nodes peer can match it"), obj.root.line, "status.addresses")
    return [node]


def _read_addresses(status: Fields) -> list[NodeAddress]:
    out = []
    for item in status.get_list("addresses") or ():
        entry = item.as_map(ADDRESS_FIELDS)
        if entry is None:
            continue
        kind = entry.get_str("type", required=True)
        address = entry.get_str("address", required=True)
        if kind is None or address is None:
            continue
        if kind not in ADDRESS_TYPES:
            entry.get("type").warning(  # type: ignore[union-attr]  # get_str found it
                _('unknown address type "{type}" (Kubernetes knows {types}); npkit keeps it, but nodes peers only '
                  "match InternalIP and ExternalIP").format(type=kind, types=", ".join(ADDRESS_TYPES)))
        if kind in NODE_IP_TYPES:
            ip, problems = validation.parse_ip(address)
            for problem in problems:
                entry.get("address").error(problem)  # type: ignore[union-attr]  # get_str found it
            if ip is None:
                continue
            address = str(ip)
        out.append(NodeAddress(kind, address))
    return out

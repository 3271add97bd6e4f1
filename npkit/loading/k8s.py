"""Kubernetes core and networking kinds: Namespace (v1), Pod (v1), NetworkPolicy (networking.k8s.io/v1)."""

from __future__ import annotations

from npkit.i18n import N_, messages
from npkit.model import (
    NAMESPACE_NAME_LABEL,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    ObjectRef,
    Peer,
    Pod,
    PolicyPort,
    Rule,
)
from npkit.model.addresses import ipv4_value
from npkit.model.k8s import Direction

from . import validation
from .fields import Field, FieldLines, Fields
from .kinds import Manifest, register
from .labels import read_label_selector
from .podspec import POD_SPEC_FIELDS, PodSpecInfo, read_pod_spec

NAMESPACE_SPEC_FIELDS = frozenset({"finalizers"})
_ = messages("npkit").gettext


@register("", "Namespace", ("v1",), namespaced=False, name_rule=validation.dns1123_label,
          top_fields={"apiVersion", "kind", "metadata", "spec", "status"})
def load_namespace(obj: Manifest) -> list[Namespace]:
    """A Namespace; like the API server, npkit sets the label kubernetes.io/metadata.name to its name."""
    obj.spec(NAMESPACE_SPEC_FIELDS)
    labels = dict(obj.meta.labels)
    written = labels.get(NAMESPACE_NAME_LABEL)
    if written is not None and written != obj.meta.name:
        field = obj.root.find("metadata", "labels", NAMESPACE_NAME_LABEL)
        assert field is not None
        field.warning(_('the API server sets {label} to the namespace name "{name}", not "{written}"').format(
            label=NAMESPACE_NAME_LABEL, name=obj.meta.name, written=written))
    labels[NAMESPACE_NAME_LABEL] = obj.meta.name
    return [Namespace(obj.meta.name, labels, obj.origin)]


# -- Pod ---------------------------------------------------------------------------------

POD_STATUS_IP_FIELDS = frozenset({"ip"})


@register("", "Pod", ("v1",), top_fields={"apiVersion", "kind", "metadata", "spec", "status"})
def load_pod(obj: Manifest) -> list[Pod]:
    """A Pod: labels, container ports, service account, hostNetwork and its IP if status has one."""
    spec = obj.spec(POD_SPEC_FIELDS, required=True)
    info = read_pod_spec(spec) if spec is not None else PodSpecInfo()
    status = obj.root.get_map("status", None)  # free-form, except for the pod's addresses
    ip = _read_pod_ip(status) if status is not None else None
    meta = obj.meta
    return [Pod(meta.name, meta.namespace or "", dict(meta.labels), info.ports, ip or "",
                service_account=info.service_account, workload=_controller(obj),
                host_network=info.host_network, origin=obj.origin)]


OWNER_REFERENCE_FIELDS = frozenset({"apiVersion", "kind", "name", "uid", "controller", "blockOwnerDeletion"})


def _controller(obj: Manifest) -> ObjectRef | None:
    """The workload controlling the pod: its `ownerReferences` entry with `controller: true`.

    `kubectl get pods -o yaml` shows it (a ReplicaSet for a Deployment's pods); `npkit connlist`
    lists such pods as one workload, as np-guard's netpol-analyzer does.
    """
    metadata = obj.root.get_map("metadata", None)  # read_metadata has checked the rest of it
    if metadata is None or "ownerReferences" not in metadata:  # (a bare pod: asked first, as it is quicker)
        return None
    for item in metadata.get_list("ownerReferences") or []:
        entry = item.as_map(OWNER_REFERENCE_FIELDS)
        if entry is None:
            continue
        kind, name = entry.get_str("kind", required=True), entry.get_str("name", required=True)
        if kind and name and entry.get_bool("controller"):
            return ObjectRef(kind, name, obj.meta.namespace)
    return None


def _read_pod_ip(status: Fields) -> str | None:
    """`status.podIP`, else the first of `status.podIPs`; checked as the API server checks them."""
    text = status.get_str("podIP")
    if text is not None and "podIPs" not in status and ipv4_value(text) is not None:
        return text  # the usual status: one IPv4 address, as the API server writes it
    ips: list[tuple[str, Field]] = []
    if text is not None:
        ips.append((text, status.at("podIP")))
    listed: list[tuple[str, Field]] = []
    for item in status.get_list("podIPs") or ():
        entry = item.as_map(POD_STATUS_IP_FIELDS)
        text = entry.get_str("ip", required=True) if entry is not None else None
        if entry is not None and text is not None:
            listed.append((text, entry.at("ip")))
    parsed: list[str | None] = []
    for text, field in ips + listed:
        if ipv4_value(text) is not None:  # an IPv4 address as the API server writes it: valid as it is
            parsed.append(text)
            continue
        address, problems = validation.parse_ip(text)
        field.invalid(problems)
        parsed.append(str(address) if address is not None else None)
    if ips and listed and parsed[0] and parsed[1] and parsed[0] != parsed[1]:
        listed[0][1].warning(_("the first of status.podIPs should equal status.podIP ({ip})").format(ip=ips[0][0]))
    return parsed[0] if parsed else None


# -- NetworkPolicy -----------------------------------------------------------------------

NETWORK_POLICY_SPEC_FIELDS = frozenset({"podSelector", "policyTypes", "ingress", "egress"})
INGRESS_RULE_FIELDS = frozenset({"from", "ports"})
EGRESS_RULE_FIELDS = frozenset({"to", "ports"})
PEER_FIELDS = frozenset({"podSelector", "namespaceSelector", "ipBlock"})
IP_BLOCK_FIELDS = frozenset({"cidr", "except"})
PORT_FIELDS = frozenset({"protocol", "port", "endPort"})
POLICY_TYPES: tuple[Direction, ...] = ("Ingress", "Egress")

# Fields written at the wrong indentation: where they belong, for a better hint than "unknown field"
# (marked here, translated where the hint is made: fields.py).
_PEERS_GO_FROM = N_("in a from list, as '- podSelector: ...', '- namespaceSelector: ...' or '- ipBlock: ...'")
_PEERS_GO_TO = N_("in a to list, as '- podSelector: ...', '- namespaceSelector: ...' or '- ipBlock: ...'")
_PORTS_GO = N_("in a ports list, as '- port: ...'")
SPEC_MISPLACED = {
    "matchLabels": N_("under podSelector"), "matchExpressions": N_("under podSelector"),
    "from": N_("in an ingress rule, as '- from: ...'"), "to": N_("in an egress rule, as '- to: ...'"),
    "ports": N_("in an ingress or egress rule"), "policyType": N_("in policyTypes, a list"),
}
INGRESS_RULE_MISPLACED = {
    "podSelector": _PEERS_GO_FROM, "namespaceSelector": _PEERS_GO_FROM,
    "ipBlock": _PEERS_GO_FROM, "port": _PORTS_GO, "protocol": _PORTS_GO, "endPort": _PORTS_GO,
    "to": N_("in egress rules; ingress rules use from"),
}
EGRESS_RULE_MISPLACED = {
    **INGRESS_RULE_MISPLACED, "podSelector": _PEERS_GO_TO,
    "namespaceSelector": _PEERS_GO_TO, "ipBlock": _PEERS_GO_TO,
    "from": N_("in ingress rules; egress rules use to"),
}
PEER_MISPLACED = {
    "matchLabels": N_("under podSelector or namespaceSelector"),
    "matchExpressions": N_("under podSelector or namespaceSelector"),
    "cidr": N_("under ipBlock"), "except": N_("under ipBlock"),
    "ports": N_("to the rule, at the same indentation as from or to"),
}


@register("networking.k8s.io", "NetworkPolicy", ("v1",))
def load_network_policy(obj: Manifest) -> list[NetworkPolicy]:
    """A NetworkPolicy, validated like the API server does and defaulted (protocol, policyTypes)."""
    spec = obj.spec(NETWORK_POLICY_SPEC_FIELDS, misplaced=SPEC_MISPLACED)
    selector: LabelSelector = LabelSelector()
    types: tuple[Direction, ...] = ("Ingress",)
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    if spec is None:
        obj.report.warning(_("has no spec, so it selects every pod in its namespace and denies all their ingress; "
                             "write spec.podSelector and policyTypes to say what you mean"), obj.root.line)
    else:
        selector, types, ingress, egress = read_network_policy_spec(spec)
    meta = obj.meta
    return [NetworkPolicy(meta.name, meta.namespace or "", selector, types, ingress, egress,
                          origin=obj.origin, field_lines=FieldLines(obj.root.node))]


def read_network_policy_spec(
    spec: Fields,
) -> tuple[LabelSelector, tuple[Direction, ...], tuple[Rule, ...], tuple[Rule, ...]]:
    """podSelector, effective policyTypes, ingress and egress rules of a NetworkPolicy-shaped spec.

    Shared with Calico's StagedKubernetesNetworkPolicy (calico.py), whose spec has this shape.
    """
    selector = read_label_selector(spec.get("podSelector")) or LabelSelector()
    ingress = _read_rules(spec, "ingress", INGRESS_RULE_FIELDS, "from", INGRESS_RULE_MISPLACED)
    egress = _read_rules(spec, "egress", EGRESS_RULE_FIELDS, "to", EGRESS_RULE_MISPLACED)
    types = _read_policy_types(spec, has_egress_rules=bool(egress))
    return selector, types, ingress, egress


def _read_rules(
    spec: Fields, name: str, known: frozenset[str], peers_name: str, misplaced: dict[str, str]
) -> tuple[Rule, ...]:
    rules = []
    for item in spec.get_list(name) or ():
        if item.is_null:
            item.warning(_("this '-' has nothing after it, which Kubernetes reads as an empty rule {}: it allows "
                           "all ingress traffic") if name == "ingress" else
                         _("this '-' has nothing after it, which Kubernetes reads as an empty rule {}: it allows "
                           "all egress traffic"))
        rule = item.as_map(known, misplaced)
        if rule is None:
            continue
        peers = tuple(p for p in map(_read_peer, rule.get_list(peers_name) or ()) if p is not None)
        ports = tuple(p for p in map(_read_port, rule.get_list("ports") or ()) if p is not None)
        rules.append(Rule(peers, ports))
    return tuple(rules)


def _read_peer(item: Field) -> Peer | None:
    peer = item.as_map(PEER_FIELDS, PEER_MISPLACED)
    if peer is None:
        return None
    pod_selector = read_label_selector(peer.get("podSelector"))
    namespace_selector = read_label_selector(peer.get("namespaceSelector"))
    ip_block = _read_ip_block(peer.get("ipBlock"))
    present = [n for n in ("podSelector", "namespaceSelector", "ipBlock") if n in peer]
    if not present:
        empty = [n for n in peer.keys() if n in PEER_FIELDS]  # written, but with no value (null)
        if empty:
            item.error(_("must specify a peer: podSelector, namespaceSelector or ipBlock ({field} has no value, so it "
                         "counts as not set)").format(field=empty[0]))
        else:
            item.error(_("must specify a peer: podSelector, namespaceSelector or ipBlock (an empty entry selects "
                         "nothing)"))
        return None
    if "ipBlock" in present and len(present) > 1:
        item.error(_("may not combine ipBlock with podSelector or namespaceSelector in one peer; write them as two "
                     "peers (two '-' items) to allow either"))
        return None
    return Peer(pod_selector, namespace_selector, ip_block)


def _read_ip_block(field: Field | None) -> IPBlock | None:
    if field is None:
        return None
    block = field.as_map(IP_BLOCK_FIELDS)
    if block is None:
        return None
    cidr_text = block.get_str("cidr")
    cidr = None
    if cidr_text is None and "cidr" not in block:
        block.missing("cidr")
    elif cidr_text is not None:
        cidr_field = block.at("cidr")
        if not cidr_text:
            cidr_field.error(_("must not be empty"))
        else:
            cidr, problems = validation.parse_cidr(cidr_text)
            cidr_field.invalid(problems)
    excepts = []
    for text, except_field in block.get_str_list("except") or ():
        network, problems = validation.parse_cidr(text)
        except_field.invalid(problems)
        if network is None:
            continue
        if cidr is not None and not validation.strictly_inside(network, cidr):
            except_field.error(_("must lie strictly inside cidr {cidr} (a smaller range within it), but {network} "
                                 "does not").format(cidr=cidr, network=network))
        excepts.append(str(network))
    if cidr is None:
        return None
    return IPBlock(str(cidr), tuple(excepts))


def _read_port(item: Field) -> PolicyPort | None:
    if item.is_null:
        item.warning(_("this '-' has nothing after it, which Kubernetes reads as {}: every TCP port"))
    fields = item.as_map(PORT_FIELDS)
    if fields is None:
        return None
    errors_before = item.report.error_count
    protocol = fields.get_str("protocol")
    if protocol is not None:
        fields.at("protocol").invalid(validation.protocol(protocol))
    port_field = fields.get("port")
    port = port_field.as_int_or_str() if port_field is not None else None
    if port_field is not None and port is not None:
        port_field.invalid(validation.port_number(port) if isinstance(port, int) else validation.port_name(port))
    end_field = fields.get("endPort")
    end_port = end_field.as_int() if end_field is not None else None
    if end_field is not None and end_port is not None:
        if port_field is None:
            end_field.error(_("may not be set without port: endPort ends a range that port starts"))
        elif isinstance(port, str):
            end_field.error(_('may not be set when port is a name ("{port}"); a range needs a numeric port').format(
                port=port))
        elif isinstance(port, int) and end_port < port:
            end_field.error(_("must be greater than or equal to port ({port}), not {end_port}").format(
                port=port, end_port=end_port))
        end_field.invalid(validation.port_number(end_port))
    if item.report.error_count > errors_before:
        return None
    return PolicyPort(protocol or "TCP", port, end_port)


def _read_policy_types(spec: Fields, has_egress_rules: bool) -> tuple[Direction, ...]:
    """Effective policyTypes: as written, else Ingress plus Egress when there are egress rules."""
    written = spec.get_str_list("policyTypes")
    if not written:  # absent, null or []: the API server's default
        return ("Ingress", "Egress") if has_egress_rules else ("Ingress",)
    if len(written) > 2:
        spec.at("policyTypes").error(
            _("may not list more than two policyTypes (Ingress and Egress), it lists {n}").format(n=len(written)))
        return ()
    seen: set[str] = set()
    for value, field in written:
        if value not in POLICY_TYPES:
            same = [t for t in POLICY_TYPES if t.lower() == value.lower()]
            hint = _('; write "{value}" (capitalised)').format(value=same[0]) if same else ""
            field.error(_('must be Ingress or Egress, not "{value}"{hint}').format(value=value, hint=hint))
        elif value in seen:
            field.warning(_("{value} is listed twice; once is enough").format(value=value))
        seen.add(value)
    return tuple(t for t in POLICY_TYPES if t in seen)

"""ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) and the v1alpha1 kinds it replaced.

Checked against the CRD schema of kubernetes-sigs/network-policy-api: v0.2.0's
apis/v1alpha2/clusternetworkpolicy_types.go for ClusterNetworkPolicy, and the last v1alpha1
types (adminnetworkpolicy_types.go, baselineadminnetworkpolicy_types.go, shared_types.go)
for AdminNetworkPolicy and BaselineAdminNetworkPolicy. The legacy kinds load into the same
model with `legacy_kind` set: ANP is the Admin tier, BANP the Baseline tier, Allow is Accept.
"""

from __future__ import annotations

from dataclasses import dataclass

from npkit.i18n import N_, messages, series
from npkit.model import ClusterNetworkPolicy, CNPPeer, CNPPort, CNPRule, CNPSubject, LabelSelector
from npkit.model.cnp import CNPAction, CNPTier

from . import validation
from .fields import Field, FieldLines, Fields
from .kinds import DEFAULT_TOP_FIELDS, Manifest, register
from .labels import read_label_selector

GROUP = "policy.networking.k8s.io"
WITH_STATUS = DEFAULT_TOP_FIELDS | {"status"}
MAX_RULE_NAME = 100
MAX_CIDR_CHARS = 43
MAX_LIST = 25  # networks and domainNames entries

SUBJECT_FIELDS = frozenset({"namespaces", "pods"})
NAMESPACED_POD_FIELDS = frozenset({"namespaceSelector", "podSelector"})
ALL_PEER_FIELDS = frozenset({"namespaces", "pods", "networks", "nodes", "domainNames"})
INGRESS_PEER_FIELDS = frozenset({"namespaces", "pods"})
PROTOCOL_FIELDS = frozenset({"tcp", "udp", "sctp", "destinationNamedPort"})
PROTOCOL_PORT_FIELDS = frozenset({"destinationPort"})
DESTINATION_PORT_FIELDS = frozenset({"number", "range"})
RANGE_FIELDS = frozenset({"start", "end"})
LEGACY_PORT_FIELDS = frozenset({"portNumber", "namedPort", "portRange"})
LEGACY_PORT_NUMBER_FIELDS = frozenset({"protocol", "port"})
LEGACY_PORT_RANGE_FIELDS = frozenset({"protocol", "start", "end"})
_ = messages("npkit").gettext


@dataclass(frozen=True)
class Dialect:
    """How one of the three kinds spells the same ideas."""

    kind: str
    spec_fields: frozenset[str]
    actions: dict[str, CNPAction]  # as written -> as modelled
    max_rules: int
    max_peers: int
    ports_field: str  # "protocols" (v1alpha2) or "ports" (v1alpha1)
    max_ports: int
    egress_peers: frozenset[str]
    namespace_selector_required: bool  # in a `pods` subject or peer
    tier: CNPTier | None = None  # fixed by the kind (v1alpha1), else read from spec.tier

    @property
    def legacy(self) -> bool:
        return self.tier is not None


CNP = Dialect("ClusterNetworkPolicy", frozenset({"tier", "priority", "subject", "ingress", "egress"}),
              {"Accept": "Accept", "Deny": "Deny", "Pass": "Pass"}, 25, 25, "protocols", 25, ALL_PEER_FIELDS,
              False)
ANP = Dialect("AdminNetworkPolicy", frozenset({"priority", "subject", "ingress", "egress"}),
              {"Allow": "Accept", "Deny": "Deny", "Pass": "Pass"}, 100, 100, "ports", 100, ALL_PEER_FIELDS,
              True, "Admin")
BANP = Dialect("BaselineAdminNetworkPolicy", frozenset({"subject", "ingress", "egress"}),
               {"Allow": "Accept", "Deny": "Deny"}, 100, 100, "ports", 100, ALL_PEER_FIELDS - {"domainNames"},
               True, "Baseline")


@register(GROUP, "ClusterNetworkPolicy", ("v1alpha2",), namespaced=False, top_fields=WITH_STATUS)
def load_cluster_network_policy(obj: Manifest) -> list[ClusterNetworkPolicy]:
    """A ClusterNetworkPolicy in the Admin or Baseline tier."""
    return _load(obj, CNP)


@register(GROUP, "AdminNetworkPolicy", ("v1alpha1",), namespaced=False, top_fields=WITH_STATUS)
def load_admin_network_policy(obj: Manifest) -> list[ClusterNetworkPolicy]:
    """A legacy AdminNetworkPolicy, loaded as a ClusterNetworkPolicy in the Admin tier."""
    return _load(obj, ANP)


@register(GROUP, "BaselineAdminNetworkPolicy", ("v1alpha1",), namespaced=False, top_fields=WITH_STATUS)
def load_baseline_admin_network_policy(obj: Manifest) -> list[ClusterNetworkPolicy]:
    """A legacy BaselineAdminNetworkPolicy (named `default`), loaded as a Baseline-tier ClusterNetworkPolicy."""
    name_field = obj.root.find("metadata", "name")
    if obj.meta.name != "default" and name_field is not None:
        name_field.error(_('a BaselineAdminNetworkPolicy must be named "default" (there is only one), not '
                           '"{name}"').format(name=obj.meta.name))
    return _load(obj, BANP)


def _load(obj: Manifest, dialect: Dialect) -> list[ClusterNetworkPolicy]:
    if dialect.legacy:
        obj.report.warning(_(
            "{kind} (v1alpha1) is superseded by ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2), and Calico "
            "3.32 no longer supports it; npkit evaluates it as a ClusterNetworkPolicy in the {tier} tier").format(
            kind=dialect.kind, tier=dialect.tier), obj.root.line)
    spec = obj.spec(dialect.spec_fields, required=True)
    if spec is None:
        return []
    tier = dialect.tier or _read_tier(spec)
    priority = _read_priority(spec) if "priority" in dialect.spec_fields else 0
    subject = _read_subject(spec, dialect)
    ingress = _read_rules(spec, "ingress", dialect)
    egress = _read_rules(spec, "egress", dialect)
    if tier is None or priority is None or subject is None:
        return []
    legacy = dialect.kind if dialect.legacy else None
    return [ClusterNetworkPolicy(obj.meta.name, tier, priority, subject, ingress, egress, legacy,
                                 obj.origin, FieldLines(obj.root.node))]


def _read_tier(spec: Fields) -> CNPTier | None:
    tier = spec.get_str("tier", required=True)
    if tier is None:
        return None
    if tier in ("Admin", "Baseline"):
        return "Admin" if tier == "Admin" else "Baseline"
    same = [t for t in ("Admin", "Baseline") if t.lower() == tier.lower()]
    hint = _('; write "{value}" (capitalised)').format(value=same[0]) if same else ""
    spec.at("tier").error(_('must be Admin or Baseline, not "{value}"{hint}').format(value=tier, hint=hint))
    return None


def _read_priority(spec: Fields) -> int | None:
    priority = spec.get_int("priority", required=True)
    if priority is not None and not 0 <= priority <= 1000:
        spec.at("priority").error(_("must be between 0 and 1000 (lower goes first), not {value}").format(
            value=priority))
        return None
    return priority


# What each one-of struct is, for "must set one of ... (the subject)" (marked here, translated when said).
ONE_OF: dict[str, str] = {"subject": N_("the subject"), "peer": N_("a peer"), "protocols": N_("a protocols entry"),
                          "ports": N_("a ports entry"), "destinationPort": N_("a destinationPort")}


def _exactly_one(fields: Fields, field: Field, allowed: frozenset[str], what: str) -> str | None:
    """The one field set in a one-of struct (MinProperties = MaxProperties = 1); `what` is a key of ONE_OF."""
    present = [name for name in fields.keys() if name in allowed and fields.get(name) is not None]
    if len(present) == 1:
        return present[0]
    if not present:
        field.error(_("must set one of {fields} ({what})").format(fields=", ".join(sorted(allowed)),
                                                                 what=_(ONE_OF[what])))
    else:
        field.error(_("sets {fields}, but {what} takes exactly one; write them as separate entries").format(
            fields=_(" and ").join(present), what=_(ONE_OF[what])))
    return None


def _read_subject(spec: Fields, dialect: Dialect) -> CNPSubject | None:
    field = spec.get("subject")
    if field is None:
        spec.missing("subject", _(" (the pods the policy applies to: namespaces or pods)"))
        return None
    subject = field.as_map(SUBJECT_FIELDS)
    if subject is None:
        return None
    which = _exactly_one(subject, field, SUBJECT_FIELDS, "subject")
    if which == "namespaces":
        selector = read_label_selector(subject.get("namespaces"))
        return CNPSubject(selector) if selector is not None else None
    if which == "pods":
        selectors = _read_namespaced_pod(subject.at("pods"), dialect)
        return CNPSubject(*selectors) if selectors is not None else None
    return None


def _read_namespaced_pod(field: Field, dialect: Dialect) -> tuple[LabelSelector, LabelSelector] | None:
    pods = field.as_map(NAMESPACED_POD_FIELDS)
    if pods is None:
        return None
    errors_before = field.report.error_count
    if "namespaceSelector" not in pods and dialect.namespace_selector_required:
        pods.missing("namespaceSelector", _(" (write namespaceSelector: {} for every namespace)"))
    if "podSelector" not in pods:
        pods.missing("podSelector", _(" (write podSelector: {} for every pod)"))
    namespaces = read_label_selector(pods.get("namespaceSelector")) or LabelSelector()
    pod_selector = read_label_selector(pods.get("podSelector"))
    if field.report.error_count > errors_before or pod_selector is None:
        return None
    return namespaces, pod_selector


# -- rules -------------------------------------------------------------------------------


def _read_rules(spec: Fields, key: str, dialect: Dialect) -> tuple[CNPRule, ...]:
    items = spec.get_list(key)
    if items is None:
        return ()
    if len(items) > dialect.max_rules:
        spec.at(key).error(_("may have at most {limit} rules (it has {n})").format(limit=dialect.max_rules,
                                                                                   n=len(items)))
    rules = (_read_rule(item, key, dialect) for item in items)
    return tuple(rule for rule in rules if rule is not None)


def _read_rule(item: Field, key: str, dialect: Dialect) -> CNPRule | None:
    peers_key = "from" if key == "ingress" else "to"
    rule = item.as_map({"name", "action", peers_key, dialect.ports_field})
    if rule is None:
        return None
    errors_before = item.report.error_count
    name = rule.get_str("name") or ""
    if len(name) > MAX_RULE_NAME:
        rule.at("name").error(_("a rule name may have at most {limit} characters (it has {n})").format(
            limit=MAX_RULE_NAME, n=len(name)))
    action = _read_action(rule, dialect)
    allowed = INGRESS_PEER_FIELDS if key == "ingress" else dialect.egress_peers
    peers = _read_peers(rule, peers_key, allowed, dialect, action)
    ports = _read_ports(rule, dialect)
    _check_named_ports(rule, dialect, peers, ports)
    if item.report.error_count > errors_before or action is None:
        return None
    return CNPRule(action, tuple(peers), tuple(ports), name)


def _read_action(rule: Fields, dialect: Dialect) -> CNPAction | None:
    action = rule.get_str("action", required=True)
    if action is None:
        return None
    if action in dialect.actions:
        return dialect.actions[action]
    same = [a for a in dialect.actions if a.lower() == action.lower()]
    if same:
        hint = _('; write "{value}" (actions are case-sensitive)').format(value=same[0])
    elif action == "Allow" and not dialect.legacy:
        hint = _("; ClusterNetworkPolicy says Accept where AdminNetworkPolicy said Allow")
    elif action == "Accept" and dialect.legacy:
        hint = _("; {kind} says Allow (Accept is the ClusterNetworkPolicy word)").format(kind=dialect.kind)
    elif action == "Pass" and dialect is BANP:
        hint = _("; there is no later tier to pass to from the baseline")
    else:
        hint = ""
    rule.at("action").error(_('must be {actions}, not "{value}"{hint}').format(
        actions=series(list(dialect.actions), "or"), value=action, hint=hint))
    return None


def _read_peers(rule: Fields, key: str, allowed: frozenset[str], dialect: Dialect,
                action: CNPAction | None) -> list[CNPPeer]:
    items = rule.get_list(key, required=True)
    if items is None:
        return []
    if not items:
        rule.at(key).error(_("must list at least one peer; to match every pod write - namespaces: {}"))
    if len(items) > dialect.max_peers:
        rule.at(key).error(_("may list at most {limit} peers (it lists {n})").format(limit=dialect.max_peers,
                                                                                     n=len(items)))
    peers = (_read_peer(item, key, allowed, dialect, action) for item in items)
    return [peer for peer in peers if peer is not None]


def _read_peer(item: Field, key: str, allowed: frozenset[str], dialect: Dialect,
               action: CNPAction | None) -> CNPPeer | None:
    peer = item.as_map(ALL_PEER_FIELDS)
    if peer is None:
        return None
    which = _exactly_one(peer, item, allowed | (ALL_PEER_FIELDS & set(peer.keys())), "peer")
    if which is None:
        return None
    field = peer.get(which)
    assert field is not None
    if which not in allowed:
        if key == "from":
            field.error(_("{kind} peers are only allowed in egress rules (to:), not in from:").format(kind=which))
        else:
            field.error(_("{dialect} has no {kind} peers").format(dialect=dialect.kind, kind=which))
        return None
    if which == "namespaces":
        selector = read_label_selector(field)
        return CNPPeer("namespaces", selector) if selector is not None else None
    if which == "pods":
        selectors = _read_namespaced_pod(field, dialect)
        return CNPPeer("pods", *selectors) if selectors is not None else None
    if which == "networks":
        networks = _read_networks(field)
        return CNPPeer("networks", networks=networks) if networks is not None else None
    if which == "nodes":
        nodes = read_label_selector(field)
        field.warning(_("Calico 3.32 does not implement nodes peers: it fails closed on the whole rule (an Accept rule "
                        "matches nothing, a Deny or Pass rule denies all traffic); kube-network-policies matches the "
                        "InternalIP and ExternalIP addresses of the selected Nodes"))
        return CNPPeer("nodes", node_selector=nodes) if nodes is not None else None
    _read_domain_names(field, action)
    field.warning(_("npkit does not resolve domain names and keeps only that the peer is a domainNames peer: it "
                    "matches nothing under the kubernetes dataplane (kube-network-policies matches the addresses it "
                    "resolved), and Calico 3.32, which does not implement it, fails closed on the whole rule (an "
                    "Accept rule matches nothing, a Deny or Pass rule denies all traffic)"))
    return CNPPeer("domainNames")


def _read_networks(field: Field) -> tuple[str, ...] | None:
    items = _read_string_set(field, _("must list at least one CIDR"))
    if items is None:
        return None
    networks: list[str] = []
    for text, item in items:
        if len(text) > MAX_CIDR_CHARS:
            item.error(_("a CIDR may have at most {limit} characters").format(limit=MAX_CIDR_CHARS))
            continue
        network, problems = validation.parse_network(text, bare_ip=False)
        item.invalid(problems)
        if network is None:
            continue
        strict_problems = validation.parse_cidr(text)[1]
        if strict_problems:  # the API accepts it (CEL isCIDR); say what it means
            item.warning(_("{problem}; ClusterNetworkPolicy accepts it and means {network}").format(
                problem=strict_problems[0], network=network))
        networks.append(str(network))
    return tuple(networks)


def _read_domain_names(field: Field, action: CNPAction | None) -> None:
    for text, item in _read_string_set(field, _("must list at least one domain name")) or ():
        item.invalid(validation.domain_name(text))
    if action is not None and action != "Accept":
        field.warning(_("domainNames peers are only supported in Accept rules, not {action}").format(action=action))


def _read_string_set(field: Field, when_empty: str) -> list[tuple[str, Field]] | None:
    """A list of 1 to 25 distinct strings (listType=set, MinItems=1, MaxItems=25); `when_empty` says what is missing."""
    items = field.as_list()
    if items is None:
        return None
    if not items:
        field.error(when_empty)
    elif len(items) > MAX_LIST:
        field.error(_("may list at most {limit} entries (it lists {n})").format(limit=MAX_LIST, n=len(items)))
    out: list[tuple[str, Field]] = []
    for item in items:
        text = item.as_str()
        if text is None:
            continue
        if any(text == seen for seen, _ in out):
            item.error(_('"{value}" is listed twice').format(value=text))
            continue
        out.append((text, item))
    return out


# -- ports -------------------------------------------------------------------------------


def _read_ports(rule: Fields, dialect: Dialect) -> list[CNPPort]:
    key = dialect.ports_field
    items = rule.get_list(key)
    if items is None:
        return []
    if not items:
        rule.at(key).error(_("must list at least one entry; leave {field} out to match every port").format(field=key))
    elif len(items) > dialect.max_ports:
        rule.at(key).error(_("may list at most {limit} entries (it lists {n})").format(limit=dialect.max_ports,
                                                                                       n=len(items)))
    reader = _read_protocol_entry if key == "protocols" else _read_legacy_port
    ports = (reader(item) for item in items)
    return [port for port in ports if port is not None]


def _read_protocol_entry(item: Field) -> CNPPort | None:
    """A v1alpha2 `protocols` entry: tcp/udp/sctp with a destinationPort, or destinationNamedPort."""
    entry = item.as_map(PROTOCOL_FIELDS)
    if entry is None:
        return None
    which = _exactly_one(entry, item, PROTOCOL_FIELDS, "protocols")
    field = entry.get(which) if which is not None else None
    if which is None or field is None:
        return None
    if which == "destinationNamedPort":
        return _named_port(field)
    protocol = field.as_map(PROTOCOL_PORT_FIELDS)
    if protocol is None:
        return None
    port_field = protocol.get("destinationPort")
    if port_field is None:
        protocol.missing("destinationPort", _(" (e.g. {example})").format(
            example=f"{which}: {{destinationPort: {{number: 80}}}}"))
        return None
    port = port_field.as_map(DESTINATION_PORT_FIELDS)
    kind = _exactly_one(port, port_field, DESTINATION_PORT_FIELDS, "destinationPort") if port else None
    if port is None or kind is None:
        return None
    if kind == "number":
        number = _port_number(port, "number")
        return CNPPort(which.upper(), number, number) if number is not None else None
    range_fields = port.get_map("range", RANGE_FIELDS)
    bounds = _port_range(range_fields) if range_fields is not None else None
    return CNPPort(which.upper(), *bounds) if bounds is not None else None


def _read_legacy_port(item: Field) -> CNPPort | None:
    """A v1alpha1 `ports` entry: portNumber, namedPort or portRange (protocol defaults to TCP)."""
    entry = item.as_map(LEGACY_PORT_FIELDS)
    if entry is None:
        return None
    which = _exactly_one(entry, item, LEGACY_PORT_FIELDS, "ports")
    field = entry.get(which) if which is not None else None
    if field is None:
        return None
    if which == "namedPort":
        return _named_port(field)
    known = LEGACY_PORT_NUMBER_FIELDS if which == "portNumber" else LEGACY_PORT_RANGE_FIELDS
    fields = field.as_map(known)
    if fields is None:
        return None
    protocol = fields.get_str("protocol") or "TCP"
    problems = validation.protocol(protocol)
    if problems:
        fields.at("protocol").invalid(problems)
    if which == "portNumber":
        number = _port_number(fields, "port")
        return CNPPort(protocol, number, number) if number is not None else None
    bounds = _port_range(fields)
    return CNPPort(protocol, *bounds) if bounds is not None else None


def _port_number(fields: Fields, key: str) -> int | None:
    number = fields.get_int(key, required=True)
    if number is None:
        return None
    problems = validation.port_number(number)
    fields.at(key).invalid(problems)
    return None if problems else number


def _port_range(fields: Fields) -> tuple[int, int] | None:
    """`start` and `end` of a range; start must be below end (a single port is a number)."""
    start, end = _port_number(fields, "start"), _port_number(fields, "end")
    if start is None or end is None:
        return None
    if start >= end:
        fields.at("end").error(_("must be greater than start ({start}), not {end}; use a port number for a single "
                                 "port").format(start=start, end=end))
        return None
    return start, end


def _named_port(field: Field) -> CNPPort | None:
    name = field.as_str()
    if name is None:
        return None
    problems = validation.port_name(name)
    if problems:  # the API takes any string, but no container port can have this name
        field.warning(_('no container port can be named "{name}" ({problem}), so this matches nothing').format(
            name=name, problem=problems[0]))
    return CNPPort(named_port=name)


def _check_named_ports(rule: Fields, dialect: Dialect, peers: list[CNPPeer], ports: list[CNPPort]) -> None:
    """Named ports need pods at the other end (CEL rule on the egress rule types)."""
    addresses = sorted({p.kind for p in peers if p.kind in ("networks", "nodes", "domainNames")})
    if addresses and any(p.named_port is not None for p in ports):
        rule.at(dialect.ports_field).error(_(
            "a named port cannot be used in a rule whose peers include {kinds}: only pods have named ports; use port "
            "numbers, or put those peers in a separate rule").format(kinds=", ".join(addresses)))

"""Model objects back to the manifests a user would write, for labs that deploy scenarios.

`to_manifest(obj)` gives the Kubernetes-style dict (apiVersion, kind, metadata, spec) with
keys in the order people write them and defaults the API server would fill left out;
`dump_yaml(objs)` writes several as one multi-document YAML text. Loading that text gives
equal objects back (`load_string(dump_yaml(objs))`), apart from what the model does not keep:
origins and field lines, which workload a pod stood for, an IP npkit assigned, the
stagedAction of a staged policy (Set is written), and a Node's status other than its
addresses. `domainNames` peers cannot be written (the model does not keep the names) and raise
ValueError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml

from npkit.i18n import messages
from npkit.model import (
    NAMESPACE_NAME_LABEL,
    CalicoPolicy,
    CalicoRule,
    Cluster,
    ClusterNetworkPolicy,
    CNPPeer,
    CNPPort,
    CNPRule,
    CNPSubject,
    ContainerPort,
    EntityRule,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    NetworkSet,
    Node,
    Peer,
    Pod,
    PolicyPort,
    PortRange,
    Rule,
    Tier,
)

from .scalars import STR
from .scalars import resolve as resolve_scalar

Manifest = dict[str, Any]

_ = messages("npkit").gettext
CALICO = "projectcalico.org/v3"
CNP = "policy.networking.k8s.io/v1alpha2"
LEGACY_CNP = "policy.networking.k8s.io/v1alpha1"
# A small image that serves HTTP on any port it is told to (the Kubernetes e2e test image).
DEFAULT_IMAGE = "registry.k8s.io/e2e-test-images/agnhost:2.53"


def to_manifest(obj: object, *, image: str = DEFAULT_IMAGE) -> Manifest:
    """The manifest a user would write for a model object; `image` is used for pods' containers."""
    if isinstance(obj, Pod):
        return _pod(obj, image)
    writer = _WRITERS.get(type(obj))
    if writer is None:
        raise TypeError(f"cannot write a manifest for {type(obj).__name__}")
    return writer(obj)


def dump_yaml(objs: Iterable[object], *, image: str = DEFAULT_IMAGE) -> str:
    """Manifests of `objs` as one multi-document YAML text, in the order given."""
    manifests = [to_manifest(obj, image=image) for obj in objs]
    return yaml.dump_all(manifests, Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                         allow_unicode=True, width=1_000_000)


def cluster_objects(cluster: Cluster) -> list[object]:
    """A cluster's objects in the order to apply them: namespaces and tiers before what uses them.

    Built-in tiers are left out: Calico creates them.
    """
    tiers = [t for t in cluster.tiers.values() if not t.builtin]
    return [*cluster.namespaces.values(), *tiers, *cluster.network_sets, *cluster.nodes, *cluster.pods,
            *cluster.policies]


class _Dumper(yaml.SafeDumper):
    """Block style everywhere, lists at their key's indentation (as kubectl writes them)."""


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    """Quote text that kubectl's YAML would read as something else (`y` is true to it, not to PyYAML)."""
    if resolve_scalar(text)[0] != STR:
        return dumper.represent_scalar(STR, text, style="'")
    return dumper.represent_str(text)


_Dumper.add_representer(str, _represent_str)


def _metadata(name: str, namespace: str | None = None, labels: dict[str, str] | None = None) -> Manifest:
    out: Manifest = {"name": name}
    if namespace is not None:
        out["namespace"] = namespace
    if labels:
        out["labels"] = dict(labels)
    return out


def _object(api_version: str, kind: str, metadata: Manifest, spec: Manifest | None = None) -> Manifest:
    out: Manifest = {"apiVersion": api_version, "kind": kind, "metadata": metadata}
    if spec is not None:
        out["spec"] = spec
    return out


def _number(value: float) -> int | float:
    """100.0 as 100, as a person would write an order."""
    return int(value) if value == int(value) else value


# -- Kubernetes --------------------------------------------------------------------------


def _namespace(ns: Namespace) -> Manifest:
    # The API server sets kubernetes.io/metadata.name itself; writing it would only be noise.
    labels = {k: v for k, v in ns.labels.items() if not (k == NAMESPACE_NAME_LABEL and v == ns.name)}
    return _object("v1", "Namespace", _metadata(ns.name, labels=labels))


def _pod(pod: Pod, image: str) -> Manifest:
    spec: Manifest = {}
    if pod.service_account != "default":
        spec["serviceAccountName"] = pod.service_account
    if pod.host_network:
        spec["hostNetwork"] = True
    spec["containers"] = [
        {"name": "app" if i == 0 else f"app-{i + 1}", "image": image,
         **({"ports": [_container_port(p) for p in ports]} if ports else {})}
        for i, ports in enumerate(_containers(pod.ports))
    ]
    out = _object("v1", "Pod", _metadata(pod.name, pod.namespace, pod.labels), spec)
    if pod.ip and not pod.ip_assigned:  # an address npkit made up is left for npkit to make up again
        out["status"] = {"podIP": pod.ip}
    return out


def _containers(ports: tuple[ContainerPort, ...]) -> list[list[ContainerPort]]:
    """Ports split into as few containers as keep port names unique per container, in order."""
    containers: list[list[ContainerPort]] = [[]]
    for port in ports:
        if port.name is not None and any(p.name == port.name for p in containers[-1]):
            containers.append([])
        containers[-1].append(port)
    return containers


def _container_port(port: ContainerPort) -> Manifest:
    out: Manifest = {}
    if port.name is not None:
        out["name"] = port.name
    out["containerPort"] = port.port
    if port.protocol != "TCP":
        out["protocol"] = port.protocol
    return out


def label_selector(selector: LabelSelector) -> Manifest:
    """A metav1.LabelSelector; `{}` when it selects everything."""
    out: Manifest = {}
    if selector.match_labels:
        out["matchLabels"] = dict(selector.match_labels)
    if selector.match_expressions:
        out["matchExpressions"] = [
            {"key": r.key, "operator": r.operator, **({"values": list(r.values)} if r.values else {})}
            for r in selector.match_expressions
        ]
    return out


def _network_policy(policy: NetworkPolicy) -> Manifest:
    spec: Manifest = {"podSelector": label_selector(policy.pod_selector), "policyTypes": list(policy.policy_types)}
    for key, peers_key, rules in (("ingress", "from", policy.ingress), ("egress", "to", policy.egress)):
        if rules:
            spec[key] = [_k8s_rule(rule, peers_key) for rule in rules]
    if policy.staged:
        return _object(CALICO, "StagedKubernetesNetworkPolicy", _metadata(policy.name, policy.namespace), spec)
    return _object("networking.k8s.io/v1", "NetworkPolicy", _metadata(policy.name, policy.namespace), spec)


def _k8s_rule(rule: Rule, peers_key: str) -> Manifest:
    out: Manifest = {}
    if rule.peers:
        out[peers_key] = [_k8s_peer(peer) for peer in rule.peers]
    if rule.ports:
        out["ports"] = [_k8s_port(port) for port in rule.ports]
    return out


def _k8s_peer(peer: Peer) -> Manifest:
    out: Manifest = {}
    if peer.pod_selector is not None:
        out["podSelector"] = label_selector(peer.pod_selector)
    if peer.namespace_selector is not None:
        out["namespaceSelector"] = label_selector(peer.namespace_selector)
    if peer.ip_block is not None:
        out["ipBlock"] = {"cidr": peer.ip_block.cidr, **({"except": list(peer.ip_block.except_)}
                                                         if peer.ip_block.except_ else {})}
    return out


def _k8s_port(port: PolicyPort) -> Manifest:
    out: Manifest = {}
    if port.protocol != "TCP":
        out["protocol"] = port.protocol
    if port.port is not None:
        out["port"] = port.port
    if port.end_port is not None:
        out["endPort"] = port.end_port
    return out


# -- Calico ------------------------------------------------------------------------------


def _calico_policy(policy: CalicoPolicy) -> Manifest:
    spec: Manifest = {}
    if policy.tier != "default":
        spec["tier"] = policy.tier
    if policy.order is not None:
        spec["order"] = _number(policy.order)
    if policy.selector:
        spec["selector"] = policy.selector
    if policy.namespace_selector is not None:
        spec["namespaceSelector"] = policy.namespace_selector
    if policy.service_account_selector is not None:
        spec["serviceAccountSelector"] = policy.service_account_selector
    spec["types"] = list(policy.types)
    for key in ("ingress", "egress"):
        rules = getattr(policy, key)
        if rules:
            spec[key] = [_calico_rule(rule) for rule in rules]
    for key, on in (("doNotTrack", policy.do_not_track), ("preDNAT", policy.pre_dnat),
                    ("applyOnForward", policy.apply_on_forward)):
        if on:
            spec[key] = True
    return _object(CALICO, policy.kind, _metadata(policy.name, policy.namespace), spec)


def _calico_rule(rule: CalicoRule) -> Manifest:
    out: Manifest = {"action": rule.action}
    for key, value in (("protocol", rule.protocol), ("notProtocol", rule.not_protocol),
                       ("ipVersion", rule.ip_version)):
        if value is not None:
            out[key] = value
    for key, icmp in (("icmp", rule.icmp), ("notICMP", rule.not_icmp)):
        if icmp is not None:
            out[key] = {k: v for k, v in (("type", icmp.type), ("code", icmp.code)) if v is not None}
    for key, entity in (("source", rule.source), ("destination", rule.destination)):
        if entity != EntityRule():
            out[key] = _entity(entity)
    if rule.http is not None:
        http: Manifest = {}
        if rule.http.methods:
            http["methods"] = list(rule.http.methods)
        if rule.http.paths:
            http["paths"] = [{path.kind: path.value} for path in rule.http.paths]
        out["http"] = http
    return out


def _entity(entity: EntityRule) -> Manifest:
    out: Manifest = {}
    for key, nets in (("nets", entity.nets), ("notNets", entity.not_nets)):
        if nets:
            out[key] = list(nets)
    for key, selector in (("selector", entity.selector), ("notSelector", entity.not_selector),
                          ("namespaceSelector", entity.namespace_selector)):
        if selector is not None:
            out[key] = selector
    if entity.service_accounts is not None:
        accounts = entity.service_accounts
        out["serviceAccounts"] = {
            **({"names": list(accounts.names)} if accounts.names else {}),
            **({"selector": accounts.selector} if accounts.selector is not None else {}),
        }
    for key, ports in (("ports", entity.ports), ("notPorts", entity.not_ports)):
        if ports:
            out[key] = [_calico_port(port) for port in ports]
    return out


def _calico_port(port: PortRange) -> int | str:
    if port.name is not None:
        return port.name
    if port.first is None or port.first == port.last:
        return port.first if port.first is not None else ""
    return f"{port.first}:{port.last}"


def _tier(tier: Tier) -> Manifest:
    spec: Manifest = {}
    if tier.order is not None:
        spec["order"] = _number(tier.order)
    # Calico's rules require the built-in tiers to state their default action.
    if tier.default_action != "Deny" or tier.builtin:
        spec["defaultAction"] = tier.default_action
    return _object(CALICO, "Tier", _metadata(tier.name), spec)


def _network_set(net_set: NetworkSet) -> Manifest:
    kind = "NetworkSet" if net_set.namespace is not None else "GlobalNetworkSet"
    metadata = _metadata(net_set.name, net_set.namespace, net_set.labels)
    return _object(CALICO, kind, metadata, {"nets": list(net_set.nets)})


def _node(node: Node) -> Manifest:
    out = _object("v1", "Node", _metadata(node.name, labels=node.labels))
    out["status"] = {"addresses": [{"type": a.type, "address": a.address} for a in node.addresses]}
    return out


# -- ClusterNetworkPolicy ----------------------------------------------------------------


def _cluster_network_policy(policy: ClusterNetworkPolicy) -> Manifest:
    legacy = policy.legacy_kind is not None
    spec: Manifest = {}
    if not legacy:
        spec["tier"] = policy.tier
    if policy.legacy_kind != "BaselineAdminNetworkPolicy":
        spec["priority"] = policy.priority
    spec["subject"] = _cnp_subject(policy.subject)
    for key, peers_key, rules in (("ingress", "from", policy.ingress), ("egress", "to", policy.egress)):
        if rules:
            spec[key] = [_cnp_rule(rule, peers_key, legacy) for rule in rules]
    kind = policy.legacy_kind or "ClusterNetworkPolicy"
    return _object(LEGACY_CNP if legacy else CNP, kind, _metadata(policy.name), spec)


def _namespaced_pod(namespaces: LabelSelector | None, pods: LabelSelector | None) -> Manifest:
    return {"namespaceSelector": label_selector(namespaces or LabelSelector()),
            "podSelector": label_selector(pods or LabelSelector())}


def _cnp_subject(subject: CNPSubject) -> Manifest:
    if subject.pod_selector is None:
        return {"namespaces": label_selector(subject.namespace_selector)}
    return {"pods": _namespaced_pod(subject.namespace_selector, subject.pod_selector)}


def _cnp_rule(rule: CNPRule, peers_key: str, legacy: bool) -> Manifest:
    out: Manifest = {}
    if rule.name:
        out["name"] = rule.name
    out["action"] = "Allow" if legacy and rule.action == "Accept" else rule.action
    out[peers_key] = [_cnp_peer(peer) for peer in rule.peers]
    if rule.ports:
        port = _legacy_port if legacy else _cnp_port
        out["ports" if legacy else "protocols"] = [port(p) for p in rule.ports]
    return out


def _cnp_peer(peer: CNPPeer) -> Manifest:
    if peer.kind == "namespaces":
        return {"namespaces": label_selector(peer.namespace_selector or LabelSelector())}
    if peer.kind == "pods":
        return {"pods": _namespaced_pod(peer.namespace_selector, peer.pod_selector)}
    if peer.kind == "networks":
        return {"networks": list(peer.networks)}
    if peer.kind == "nodes":
        return {"nodes": label_selector(peer.node_selector)}
    raise ValueError(_("cannot write a {kind} peer: npkit does not keep what it named").format(kind=peer.kind))


def _cnp_port(port: CNPPort) -> Manifest:
    if port.named_port is not None:
        return {"destinationNamedPort": port.named_port}
    if port.protocol is None or port.first is None:
        raise ValueError(_("cannot write {port}: a protocols entry needs a port, a range or a named port").format(
            port=port))
    if port.first == port.last:
        destination: Manifest = {"number": port.first}
    else:
        destination = {"range": {"start": port.first, "end": port.last}}
    return {port.protocol.lower(): {"destinationPort": destination}}


def _legacy_port(port: CNPPort) -> Manifest:
    if port.named_port is not None:
        return {"namedPort": port.named_port}
    if port.protocol is None or port.first is None:
        raise ValueError(_("cannot write {port}: a ports entry needs a port, a range or a named port").format(
            port=port))
    if port.first == port.last:
        return {"portNumber": {"protocol": port.protocol, "port": port.first}}
    return {"portRange": {"protocol": port.protocol, "start": port.first, "end": port.last}}


_WRITERS: dict[type, Callable[[Any], Manifest]] = {
    Namespace: _namespace,
    NetworkPolicy: _network_policy,
    CalicoPolicy: _calico_policy,
    Tier: _tier,
    NetworkSet: _network_set,
    Node: _node,
    ClusterNetworkPolicy: _cluster_network_policy,
}

"""Kubernetes NetworkPolicy → compiled policy: Allow rules in tier `default` at order 1000."""

from __future__ import annotations

from ...i18n import messages
from ...model import KUBERNETES_POLICY_ORDER, LabelSelector, NetworkPolicy, Peer, PolicyPort
from ..matchers.base import Criterion, End
from ..matchers.endpoints import EndpointSet, ExactNamespace, NamespaceMatcher, NamespacesBySelector, Networks, Pods
from ..matchers.peers import PeerCriterion
from ..matchers.ports import AllPortsOf, NamedPort, PortCriterion, PortMatcher, PortNumbers
from ..program import CompiledPolicy, CompiledRule

_ = messages("npkit").gettext


def peer_set(peer: Peer, namespace: str) -> EndpointSet:
    """The endpoints one `from` / `to` entry names."""
    if peer.ip_block is not None:
        return Networks((peer.ip_block.cidr,), peer.ip_block.except_)
    ns: NamespaceMatcher
    if peer.namespace_selector is not None:
        ns = NamespacesBySelector(peer.namespace_selector)
    else:
        ns = ExactNamespace(namespace)
    return Pods(ns, peer.pod_selector if peer.pod_selector is not None else LabelSelector())


def port_matcher(port: PolicyPort) -> PortMatcher:
    """The matcher for one `ports` entry."""
    if port.port is None:
        return AllPortsOf(port.protocol)
    if isinstance(port.port, str):
        return NamedPort(port.protocol, port.port)
    return PortNumbers(port.protocol, port.port, port.end_port or port.port)


def compile_network_policy(policy: NetworkPolicy) -> CompiledPolicy:
    """Lower one NetworkPolicy; peers and ports keep their Kubernetes shape for explanations."""
    rules: dict[str, tuple[CompiledRule, ...]] = {}
    sides: tuple[tuple[str, str, End], ...] = (("Ingress", "from", "src"), ("Egress", "to", "dst"))
    for direction, field, remote in sides:
        key = direction.lower()
        compiled = []
        for i, rule in enumerate(getattr(policy, key)):
            path = f"spec.{key}[{i}]"
            criteria: list[Criterion] = []
            if rule.peers:
                sets = tuple(peer_set(p, policy.namespace) for p in rule.peers)
                criteria.append(PeerCriterion(remote, sets, field, path))
            if rule.ports:
                criteria.append(PortCriterion(tuple(port_matcher(p) for p in rule.ports), "ports", f"{path}.ports"))
            notes = []
            if not rule.peers:
                notes.append(_("no 'from': every source, in or outside the cluster") if remote == "src" else
                             _("no 'to': every destination, in or outside the cluster"))
            if not rule.ports:
                notes.append(_("no 'ports': every port and protocol"))
            compiled.append(CompiledRule(i, "Allow", tuple(criteria), path, notes=tuple(notes)))
        rules[key] = tuple(compiled)
    return CompiledPolicy(
        ref=policy.ref,
        family="kubernetes",
        tier="default",
        order=KUBERNETES_POLICY_ORDER,
        subject=Pods(ExactNamespace(policy.namespace), policy.pod_selector),
        directions=frozenset(policy.policy_types),
        ingress=rules["ingress"],
        egress=rules["egress"],
        staged=policy.staged,
        origin=policy.origin,
    )

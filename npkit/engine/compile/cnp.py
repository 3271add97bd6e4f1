"""ClusterNetworkPolicy → compiled policy in tier `kube-admin` (Admin) or `kube-baseline` (Baseline)."""

from __future__ import annotations

from ...model import ClusterNetworkPolicy, CNPPeer, CNPPort, CNPRule, LabelSelector
from ..matchers.base import Criterion
from ..matchers.endpoints import EndpointSet, FailClosed, NamespacesBySelector, Networks, Pods
from ..matchers.peers import PeerCriterion
from ..matchers.ports import NamedPort, PortCriterion, PortMatcher, PortNumbers
from ..program import CompiledPolicy, CompiledRule

TIER_OF = {"Admin": "kube-admin", "Baseline": "kube-baseline"}
ACTION_OF = {"Accept": "Allow", "Deny": "Deny", "Pass": "Pass"}


def cnp_peer(peer: CNPPeer, action: str) -> EndpointSet:
    """The endpoints one CNP peer names; kinds npkit cannot see fail closed."""
    if peer.kind == "namespaces":
        return Pods(NamespacesBySelector(peer.namespace_selector or LabelSelector()))
    if peer.kind == "pods":
        namespaces = NamespacesBySelector(peer.namespace_selector or LabelSelector())
        return Pods(namespaces, peer.pod_selector or LabelSelector())
    if peer.kind == "networks":
        return Networks(peer.networks)
    return FailClosed(peer.kind, matches_everything=action in ("Deny", "Pass"))


def cnp_port(port: CNPPort) -> PortMatcher:
    if port.named_port is not None:
        return NamedPort(None, port.named_port)
    return PortNumbers(port.protocol, port.first, port.last)


def _rule(rule: CNPRule, index: int, key: str) -> CompiledRule:
    path = f"spec.{key}[{index}]"
    field, remote = ("from", "src") if key == "ingress" else ("to", "dst")
    criteria: list[Criterion] = [
        PeerCriterion(remote, tuple(cnp_peer(p, rule.action) for p in rule.peers), field, path)
    ]
    if rule.ports:
        criteria.append(PortCriterion(tuple(cnp_port(p) for p in rule.ports), "protocols", f"{path}.protocols"))
    return CompiledRule(index, ACTION_OF[rule.action], tuple(criteria), path, name=rule.name, verb=rule.action)


def compile_cluster_network_policy(policy: ClusterNetworkPolicy) -> CompiledPolicy:
    """Lower a ClusterNetworkPolicy; priority becomes the order inside its tier."""
    subject = policy.subject
    pods = subject.pod_selector if subject.pod_selector is not None else LabelSelector()
    directions = {d for d, rules in (("Ingress", policy.ingress), ("Egress", policy.egress)) if rules}
    notes = ()
    if policy.legacy_kind:
        notes = (f"{policy.legacy_kind} is superseded by ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)",)
    return CompiledPolicy(
        ref=policy.ref,
        family="cnp",
        tier=TIER_OF[policy.tier],
        order=float(policy.priority),
        subject=Pods(NamespacesBySelector(subject.namespace_selector), pods),
        # A CNP without ingress rules does not take part in ingress at all (and likewise egress).
        directions=frozenset(directions),
        ingress=tuple(_rule(r, i, "ingress") for i, r in enumerate(policy.ingress)),
        egress=tuple(_rule(r, i, "egress") for i, r in enumerate(policy.egress)),
        origin=policy.origin,
        notes=notes,
    )

"""ClusterNetworkPolicy → compiled policy in tier `kube-admin` (Admin) or `kube-baseline` (Baseline).

The two dataplanes differ on the experimental peers (docs/semantics/clusternetworkpolicy.md):
kube-network-policies v1.1.1 matches a `nodes` peer against the InternalIP / ExternalIP of the
selected Nodes and resolves `domainNames` (npkit cannot: it matches nothing); Calico 3.32.1
implements neither, and its converter replaces a rule with such a peer by its fail-closed form
(libcalico-go/lib/backend/k8s/conversion/clusternetworkpolicy.go): an Accept rule is dropped, a
Deny or Pass rule becomes "Deny all".
"""

from __future__ import annotations

from ...i18n import messages
from ...model import ClusterNetworkPolicy, CNPPeer, CNPPort, CNPRule, LabelSelector
from ..matchers.base import Constant, Criterion, End
from ..matchers.endpoints import (
    EndpointSet,
    NamespacesBySelector,
    Networks,
    NodeAddresses,
    Pods,
    PodsAndNetworkSets,
    Unresolved,
)
from ..matchers.peers import PeerCriterion
from ..matchers.ports import NamedPort, PortCriterion, PortMatcher, PortNumbers
from ..program import Action, CompiledPolicy, CompiledRule, Dataplane, Direction

TIER_OF = {"Admin": "kube-admin", "Baseline": "kube-baseline"}
ACTION_OF: dict[str, Action] = {"Accept": "Allow", "Deny": "Deny", "Pass": "Pass"}
CALICO_PEERS = frozenset({"namespaces", "pods", "networks"})  # what Calico 3.32's converter knows
_ = messages("npkit").gettext


def cnp_peer(peer: CNPPeer, with_network_sets: bool = False) -> EndpointSet:
    """The endpoints one CNP peer names, as kube-network-policies matches them.

    `with_network_sets`: as Calico matches them, where namespaced NetworkSets exist: a `namespaces`
    peer also takes in the NetworkSets of its namespaces (PodsAndNetworkSets).
    """
    if peer.kind == "namespaces":
        pods = Pods(NamespacesBySelector(peer.namespace_selector or LabelSelector()))
        return PodsAndNetworkSets(pods) if with_network_sets else pods
    if peer.kind == "pods":
        namespaces = NamespacesBySelector(peer.namespace_selector or LabelSelector())
        return Pods(namespaces, peer.pod_selector or LabelSelector())
    if peer.kind == "networks":
        return Networks(peer.networks)
    if peer.kind == "nodes":
        return NodeAddresses(peer.node_selector)
    return Unresolved(peer.kind, _("npkit does not resolve {kind} peers to addresses, so this peer matches nothing "
                                   "here (kube-network-policies matches the addresses it resolved)").format(
        kind=peer.kind))


def cnp_port(port: CNPPort) -> PortMatcher:
    """The matcher for one `protocols` entry (a named port matches the protocol the pod gives it)."""
    if port.named_port is not None:
        return NamedPort(None, port.named_port)
    if port.first is None or port.last is None:
        raise ValueError(_("a ClusterNetworkPolicy port entry needs a name or numbers, not {port}").format(
            port=repr(port)))
    return PortNumbers(port.protocol, port.first, port.last)


def _fail_closed(rule: CNPRule, index: int, path: str) -> CompiledRule | None:
    """Calico's replacement for a rule with a peer it does not implement; None when there is none."""
    unknown = sorted({p.kind for p in rule.peers if p.kind not in CALICO_PEERS})
    if not unknown:
        return None
    kinds = _(" and ").join(_("{kind} peers").format(kind=k) for k in unknown)
    if rule.action == "Accept":
        reason = _("Calico 3.32 does not implement {kinds}: it fails closed, and an Accept rule that fails closed "
                   "matches nothing").format(kinds=kinds)
        return CompiledRule(index, "Allow", (Constant(False, reason, path),), path, name=rule.name, verb="Accept")
    reason = _("Calico 3.32 does not implement {kinds}: it fails closed, and a {action} rule that fails closed "
               "becomes a rule that denies all traffic").format(kinds=kinds, action=rule.action)
    verb = "Deny" if rule.action == "Deny" else "Pass (failed closed: Deny)"
    return CompiledRule(index, "Deny", (Constant(True, reason, path),), path, name=rule.name, verb=verb)


def _rule(rule: CNPRule, index: int, direction: Direction, dataplane: Dataplane, network_sets: bool) -> CompiledRule:
    key = direction.lower()
    path = f"spec.{key}[{index}]"
    if dataplane == "calico":
        failed = _fail_closed(rule, index, path)
        if failed is not None:
            return failed
    field = "from" if direction == "Ingress" else "to"
    end: End = "src" if direction == "Ingress" else "dst"
    with_sets = dataplane == "calico" and network_sets
    criteria: list[Criterion] = [PeerCriterion(end, tuple(cnp_peer(p, with_sets) for p in rule.peers), field, path)]
    if rule.ports:
        criteria.append(PortCriterion(tuple(cnp_port(p) for p in rule.ports), "protocols", f"{path}.protocols"))
    return CompiledRule(index, ACTION_OF[rule.action], tuple(criteria), path, name=rule.name, verb=rule.action)


def compile_cluster_network_policy(policy: ClusterNetworkPolicy, dataplane: Dataplane = "calico",
                                   network_sets: bool = False) -> CompiledPolicy:
    """Lower a ClusterNetworkPolicy for `dataplane`; priority becomes the order inside its tier.

    `network_sets`: the cluster has namespaced NetworkSets (Calico's `namespaces` peers match them).
    """
    subject = policy.subject
    pods = subject.pod_selector if subject.pod_selector is not None else LabelSelector()
    sides: tuple[tuple[Direction, tuple[CNPRule, ...]], ...] = (("Ingress", policy.ingress), ("Egress", policy.egress))
    directions = {d for d, rules in sides if rules}
    notes: tuple[str, ...] = ()
    if policy.legacy_kind:
        notes = (_("{kind} is superseded by ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2)").format(
            kind=policy.legacy_kind),)
    return CompiledPolicy(
        ref=policy.ref,
        family="cnp",
        tier=TIER_OF[policy.tier],
        order=float(policy.priority),
        subject=Pods(NamespacesBySelector(subject.namespace_selector), pods),
        # A CNP without ingress rules does not take part in ingress at all (and likewise egress).
        directions=frozenset(directions),
        ingress=tuple(_rule(r, i, "Ingress", dataplane, network_sets) for i, r in enumerate(policy.ingress)),
        egress=tuple(_rule(r, i, "Egress", dataplane, network_sets) for i, r in enumerate(policy.egress)),
        origin=policy.origin,
        notes=notes,
    )

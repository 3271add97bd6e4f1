"""Data types for everything npkit loads: plain dataclasses, no behaviour beyond lookups."""

from .calico import (
    BUILTIN_TIERS,
    KUBERNETES_POLICY_ORDER,
    CalicoPolicy,
    CalicoRule,
    EntityRule,
    HTTPMatch,
    HTTPPath,
    ICMPMatch,
    PortRange,
    ServiceAccountMatch,
    Tier,
)
from .cluster import AnyPolicy, Cluster
from .cnp import ClusterNetworkPolicy, CNPPeer, CNPPort, CNPRule, CNPSubject
from .diagnostics import Diagnostic, InputError
from .k8s import IPBlock, LabelSelector, NetworkPolicy, Peer, PolicyPort, Requirement, Rule
from .meta import ObjectRef, Origin
from .workloads import (
    NAMESPACE_NAME_LABEL,
    NODE_IP_TYPES,
    PROTOCOLS_WITH_PORTS,
    ContainerPort,
    Namespace,
    NetworkSet,
    Node,
    NodeAddress,
    Pod,
)

__all__ = [
    "BUILTIN_TIERS", "KUBERNETES_POLICY_ORDER", "CalicoPolicy", "CalicoRule", "EntityRule",
    "HTTPMatch", "HTTPPath", "ICMPMatch", "PortRange", "ServiceAccountMatch", "Tier", "AnyPolicy",
    "Cluster", "ClusterNetworkPolicy", "CNPPeer", "CNPPort", "CNPRule", "CNPSubject", "Diagnostic",
    "InputError", "IPBlock", "LabelSelector", "NetworkPolicy", "Peer", "PolicyPort", "Requirement",
    "Rule", "ObjectRef", "Origin", "NAMESPACE_NAME_LABEL", "PROTOCOLS_WITH_PORTS", "ContainerPort",
    "Namespace", "NetworkSet", "Pod", "NODE_IP_TYPES", "Node", "NodeAddress",
]

"""Data types for everything npkit loads: plain dataclasses, no behaviour beyond lookups."""

import importlib

from .cluster import AnyPolicy, Cluster
from .diagnostics import Diagnostic, InputError
from .k8s import IPBlock, LabelSelector, NetworkPolicy, Peer, PolicyPort, Requirement, Rule
from .meta import ObjectRef, Origin
from .tiers import BUILTIN_TIERS, KUBERNETES_POLICY_ORDER, Tier
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

# Calico's policies and ClusterNetworkPolicy are imported on first use: most inputs have neither,
# and their classes are a third of the model's start-up.
_LAZY = {
    **dict.fromkeys(("CalicoPolicy", "CalicoRule", "EntityRule", "HTTPMatch", "HTTPPath", "ICMPMatch", "PortRange",
                     "ServiceAccountMatch"), ".calico"),
    **dict.fromkeys(("ClusterNetworkPolicy", "CNPPeer", "CNPPort", "CNPRule", "CNPSubject"), ".cnp"),
}
TYPE_CHECKING = False  # typing's is not needed
if TYPE_CHECKING:  # the names of _LAZY, for type checkers
    from .calico import *
    from .cnp import *


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value

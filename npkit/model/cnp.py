"""ClusterNetworkPolicy (policy.networking.k8s.io/v1alpha2) as data.

The legacy v1alpha1 AdminNetworkPolicy / BaselineAdminNetworkPolicy load into the same
types (`legacy_kind` remembers which), because they mean the same thing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .k8s import LabelSelector
from .meta import ObjectRef, Origin

CNPTier = Literal["Admin", "Baseline"]
CNPAction = Literal["Accept", "Deny", "Pass"]
PeerKind = Literal["namespaces", "pods", "networks", "nodes", "domainNames", "unknown"]


@dataclass(frozen=True)
class CNPPeer:
    """One `from` / `to` entry. `namespaces` uses namespace_selector only; `pods` uses both;
    `nodes` uses node_selector (empty: every node)."""

    kind: PeerKind
    namespace_selector: LabelSelector | None = None
    pod_selector: LabelSelector | None = None
    networks: tuple[str, ...] = ()
    node_selector: LabelSelector = LabelSelector()


@dataclass(frozen=True)
class CNPPort:
    """A `protocols` entry: protocol with a port or range, or a destination named port."""

    protocol: str | None = None  # None for destinationNamedPort, which names its own protocol
    first: int | None = None
    last: int | None = None
    named_port: str | None = None


@dataclass(frozen=True)
class CNPRule:
    action: CNPAction
    peers: tuple[CNPPeer, ...]
    ports: tuple[CNPPort, ...] = ()  # empty: every port and protocol
    name: str = ""


@dataclass(frozen=True)
class CNPSubject:
    """`namespaces` subject: pod_selector None. `pods` subject: both set."""

    namespace_selector: LabelSelector
    pod_selector: LabelSelector | None = None


@dataclass(frozen=True, eq=False)
class ClusterNetworkPolicy:
    name: str
    tier: CNPTier
    priority: int
    subject: CNPSubject
    ingress: tuple[CNPRule, ...] = ()
    egress: tuple[CNPRule, ...] = ()
    legacy_kind: str | None = None  # "AdminNetworkPolicy" / "BaselineAdminNetworkPolicy"
    origin: Origin = Origin()
    field_lines: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.legacy_kind or "ClusterNetworkPolicy", self.name)

"""The whole loaded world: namespaces, pods, network sets, tiers and every kind of policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Protocol, TypeVar, Union

from ..i18n import messages
from .diagnostics import Diagnostic
from .k8s import NetworkPolicy
from .meta import ObjectRef
from .tiers import BUILTIN_TIERS, Tier
from .workloads import Namespace, NetworkSet, Node, Pod

TYPE_CHECKING = False  # typing's is not needed: the Calico and ClusterNetworkPolicy models load when first used
if TYPE_CHECKING:
    from .calico import CalicoPolicy
    from .cnp import ClusterNetworkPolicy

AnyPolicy = Union[NetworkPolicy, "CalicoPolicy", "ClusterNetworkPolicy"]


class _Referenced(Protocol):
    @property
    def ref(self) -> ObjectRef: ...


_T = TypeVar("_T", bound=_Referenced)


def _builtin_tiers() -> dict[str, Tier]:
    return {t.name: t for t in BUILTIN_TIERS}


@dataclass(frozen=True, eq=False)
class Cluster:
    """Everything the engine evaluates. Treat as immutable; derive changed copies with `with_*`."""

    namespaces: dict[str, Namespace] = field(default_factory=dict)
    pods: tuple[Pod, ...] = ()
    network_policies: tuple[NetworkPolicy, ...] = ()
    calico_policies: tuple[CalicoPolicy, ...] = ()
    cluster_network_policies: tuple[ClusterNetworkPolicy, ...] = ()
    tiers: dict[str, Tier] = field(default_factory=_builtin_tiers)
    network_sets: tuple[NetworkSet, ...] = ()
    nodes: tuple[Node, ...] = ()  # only ClusterNetworkPolicy `nodes` peers look at them
    diagnostics: tuple[Diagnostic, ...] = ()  # warnings and notes from loading

    @property
    def policies(self) -> tuple[AnyPolicy, ...]:
        """Every policy of every family, in load order per family."""
        return self.network_policies + self.calico_policies + self.cluster_network_policies

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity == "warning")

    def pod(self, key: str) -> Pod:
        """The pod called `namespace/name`; KeyError names the pods that exist."""
        for p in self.pods:
            if p.key == key:
                return p
        _ = messages("npkit").gettext
        if not self.pods:
            raise KeyError(_("no pod {key} (pods: none)").format(key=repr(key)))
        known = ", ".join(p.key for p in self.pods[:12])
        raise KeyError(_("no pod {key} (pods: {pods})").format(key=repr(key), pods=known))

    def with_policies(self, policies: Iterable[AnyPolicy]) -> Cluster:
        """The same namespaces and pods with `policies` instead of the current ones."""
        from .calico import CalicoPolicy
        from .cnp import ClusterNetworkPolicy

        k8s, calico, cnp = [], [], []
        for p in policies:
            if isinstance(p, NetworkPolicy):
                k8s.append(p)
            elif isinstance(p, CalicoPolicy):
                calico.append(p)
            elif isinstance(p, ClusterNetworkPolicy):
                cnp.append(p)
            else:
                raise TypeError(f"not a policy: {p!r}")
        return replace(
            self,
            network_policies=tuple(k8s),
            calico_policies=tuple(calico),
            cluster_network_policies=tuple(cnp),
        )

    def merged(self, other: Cluster) -> Cluster:
        """This cluster with `other`'s objects added (other wins on same kind/namespace/name)."""
        def merge(mine: tuple[_T, ...], theirs: tuple[_T, ...]) -> tuple[_T, ...]:
            out = {x.ref: x for x in mine}  # an ObjectRef is kind, namespace and name
            out.update({x.ref: x for x in theirs})
            return tuple(out.values())

        # An implicit namespace (made up for a pod or policy) never hides a declared one.
        namespaces = dict(self.namespaces)
        for name, ns in other.namespaces.items():
            if not ns.implicit or name not in namespaces:
                namespaces[name] = ns
        return Cluster(
            namespaces=namespaces,
            pods=merge(self.pods, other.pods),
            network_policies=merge(self.network_policies, other.network_policies),
            calico_policies=merge(self.calico_policies, other.calico_policies),
            cluster_network_policies=merge(self.cluster_network_policies, other.cluster_network_policies),
            tiers={**self.tiers, **other.tiers},
            network_sets=merge(self.network_sets, other.network_sets),
            nodes=merge(self.nodes, other.nodes),
            diagnostics=self.diagnostics + other.diagnostics,
        )

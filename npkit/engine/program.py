"""The compiled pipeline every policy family lowers to: tiers → policies → rules of matchers.

Kubernetes NetworkPolicies become Allow-only policies at order 1000 in tier `default`,
whose end-of-tier deny produces "isolated unless allowed"; ClusterNetworkPolicies sit in
`kube-admin` / `kube-baseline`, whose default action is Pass; Calico policies go where
their tier and order say. One algorithm (docs/semantics/calico.md) then decides everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ..i18n import messages
from ..model import ObjectRef, Origin
from .criteria import ProgramCriteria, collect_criteria
from .matchers.base import Criterion
from .matchers.endpoints import EndpointSet
from .universe import Universe

_ = messages("npkit").gettext
Action = Literal["Allow", "Deny", "Pass", "Log"]
Direction = Literal["Ingress", "Egress"]
Family = Literal["kubernetes", "calico", "cnp"]
Dataplane = Literal["calico", "kubernetes"]
DATAPLANES: tuple[str, ...] = ("calico", "kubernetes")
# The words explanations use: Kubernetes' (isolated, allowed by a policy's rule) or Calico's (tiers,
# orders, profiles). "auto" picks calico when Calico objects are loaded on the calico dataplane.
View = Literal["kubernetes", "calico"]
ViewChoice = Literal["auto", "kubernetes", "calico"]
VIEWS: tuple[str, ...] = ("auto", "kubernetes", "calico")


@dataclass(frozen=True)
class CompiledRule:
    index: int
    action: Action
    criteria: tuple[Criterion, ...]
    path: str  # "spec.ingress[0]"
    name: str = ""  # ClusterNetworkPolicy rules may be named
    notes: tuple[str, ...] = ()
    verb: str = ""  # how the policy's own API names the action, when it differs (CNP "Accept")

    @property
    def label(self) -> str:
        return _("{path} ({name})").format(path=self.path, name=self.name) if self.name else self.path


_BACKEND_KIND = {"kubernetes": "KubernetesNetworkPolicy", "cnp": "KubernetesClusterNetworkPolicy"}


@dataclass(frozen=True, eq=False)
class CompiledPolicy:
    ref: ObjectRef
    family: Family
    tier: str
    order: float | None
    subject: EndpointSet
    directions: frozenset[Direction]
    ingress: tuple[CompiledRule, ...] = ()
    egress: tuple[CompiledRule, ...] = ()
    staged: bool = False
    origin: Origin = Origin()
    notes: tuple[str, ...] = ()

    def rules(self, direction: Direction) -> tuple[CompiledRule, ...]:
        return self.ingress if direction == "Ingress" else self.egress

    @property
    def sort_key(self) -> tuple[bool, float, str]:
        # Felix (3.32 felix/calc/policy_sorter.go PolKVLess): order ascending, no order last, ties by
        # "<name>/<namespace>/<kind>", where Kubernetes objects have backend kinds of their own
        # (libcalico-go/lib/backend/model: KubernetesNetworkPolicy, KubernetesClusterNetworkPolicy).
        kind = _BACKEND_KIND.get(self.family, self.ref.kind)
        tie = f"{self.ref.name}/{self.ref.namespace or ''}/{kind}"
        return (self.order is None, self.order or 0.0, tie)


@dataclass(frozen=True, eq=False)
class CompiledTier:
    name: str
    order: float | None
    default_action: Literal["Deny", "Pass"]
    policies: tuple[CompiledPolicy, ...]
    title: str = ""  # how explanations name the tier in the program's view

    @property
    def sort_key(self) -> tuple[bool, float, str]:
        return (self.order is None, self.order or 0.0, self.name)


@dataclass(frozen=True, eq=False)
class Program:
    tiers: tuple[CompiledTier, ...]
    dataplane: Dataplane = "calico"
    l7: bool = False
    staged: tuple[CompiledPolicy, ...] = ()
    notes: tuple[str, ...] = field(default=())
    view: View = "calico"

    @property
    def policies(self) -> tuple[CompiledPolicy, ...]:
        """Enforced policies in evaluation order (tier by tier)."""
        return tuple(p for t in self.tiers for p in t.policies)

    def criteria(self, u: Universe) -> ProgramCriteria:
        """Every address block, port, named port and protocol the rules name (enforced and staged).

        `u` is the universe the program runs over: it tells which network sets a selector reaches.
        """
        return collect_criteria(self.policies + self.staged, u)

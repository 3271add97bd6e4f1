"""Kubernetes NetworkPolicy (networking.k8s.io/v1) as data, after defaulting.

The loader fills in what the API server defaults (protocol TCP, policyTypes), so the
engine never has to guess. Empty tuples mean "absent or empty", which the API treats
the same for `from`, `to` and `ports`: match everything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .meta import ObjectRef, Origin

Operator = Literal["In", "NotIn", "Exists", "DoesNotExist"]
Direction = Literal["Ingress", "Egress"]


@dataclass(frozen=True)
class Requirement:
    """One `matchExpressions` entry."""

    key: str
    operator: Operator
    values: tuple[str, ...] = ()


@dataclass(frozen=True)
class LabelSelector:
    """metav1.LabelSelector: `matchLabels` AND `matchExpressions`. `LabelSelector()` is `{}`."""

    match_labels: tuple[tuple[str, str], ...] = ()
    match_expressions: tuple[Requirement, ...] = ()

    @classmethod
    def of(cls, match_labels: dict[str, str] | None = None, *exprs: Requirement) -> LabelSelector:
        """Build a selector from a dict; `LabelSelector.of({"app": "web"})`."""
        return cls(tuple(sorted((match_labels or {}).items())), tuple(exprs))

    @property
    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions


@dataclass(frozen=True)
class IPBlock:
    cidr: str
    except_: tuple[str, ...] = ()


@dataclass(frozen=True)
class Peer:
    """A `from` / `to` entry. Exactly one of: selectors (one or both), or ip_block."""

    pod_selector: LabelSelector | None = None
    namespace_selector: LabelSelector | None = None
    ip_block: IPBlock | None = None


@dataclass(frozen=True)
class PolicyPort:
    """A `ports` entry. `port` None means every port of `protocol`; a str is a named port."""

    protocol: str = "TCP"
    port: int | str | None = None
    end_port: int | None = None


@dataclass(frozen=True)
class Rule:
    """An ingress or egress rule: any of `peers` (empty: everyone) on any of `ports` (empty: all)."""

    peers: tuple[Peer, ...] = ()
    ports: tuple[PolicyPort, ...] = ()


@dataclass(frozen=True, eq=False)
class NetworkPolicy:
    """A Kubernetes NetworkPolicy. `policy_types` is the effective value after defaulting."""

    name: str
    namespace: str
    pod_selector: LabelSelector = LabelSelector()
    policy_types: tuple[Direction, ...] = ("Ingress",)
    ingress: tuple[Rule, ...] = ()
    egress: tuple[Rule, ...] = ()
    staged: bool = False  # Calico StagedKubernetesNetworkPolicy: shown, never enforced
    origin: Origin = Origin()
    field_lines: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def ref(self) -> ObjectRef:
        kind = "StagedKubernetesNetworkPolicy" if self.staged else "NetworkPolicy"
        return ObjectRef(kind, self.name, self.namespace)

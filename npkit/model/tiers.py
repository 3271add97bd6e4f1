"""Tiers (Calico's, and the three every cluster has), apart from the rest of the Calico model.

Every cluster has the built-in tiers (`Cluster.tiers`), and Kubernetes NetworkPolicies sit in one,
so this module is imported by every command; calico.py (Calico's policies and rules) only when
Calico objects are read (see npkit/model/__init__.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .meta import ObjectRef, Origin

TierDefault = Literal["Deny", "Pass"]


@dataclass(frozen=True, eq=False)
class Tier:
    """A Calico Tier. `order` None sorts after every tier with an order."""

    name: str
    order: float | None = None
    default_action: TierDefault = "Deny"
    builtin: bool = False
    origin: Origin = Origin()

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Tier", self.name)


# Calico 3.32 creates these and fixes their order and default action (docs/semantics/calico.md, tiers).
BUILTIN_TIERS: tuple[Tier, ...] = (
    Tier("kube-admin", 1_000.0, "Pass", builtin=True),
    Tier("default", 1_000_000.0, "Deny", builtin=True),
    Tier("kube-baseline", 10_000_000.0, "Pass", builtin=True),
)
KUBERNETES_POLICY_ORDER = 1000.0  # where Calico puts every Kubernetes NetworkPolicy in tier default

"""Calico projectcalico.org/v3 policy objects as data.

Selectors are kept as the strings the user wrote (after validation); the selectors
layer parses them. Absent optional fields are None or empty tuples.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from .meta import ObjectRef, Origin
from .tiers import BUILTIN_TIERS, KUBERNETES_POLICY_ORDER, Tier, TierDefault

__all__ = ["BUILTIN_TIERS", "KUBERNETES_POLICY_ORDER", "Action", "CalicoPolicy", "CalicoRule", "EntityRule",
           "HTTPMatch", "HTTPPath", "ICMPMatch", "PortRange", "ServiceAccountMatch", "Tier", "TierDefault"]

Action = Literal["Allow", "Deny", "Pass", "Log"]


@dataclass(frozen=True)
class PortRange:
    """A Calico port entry: a number, an inclusive "a:b" range, or a named port."""

    first: int | None = None
    last: int | None = None
    name: str | None = None

    def __str__(self) -> str:
        if self.name is not None:
            return self.name
        return str(self.first) if self.first == self.last else f"{self.first}:{self.last}"


@dataclass(frozen=True)
class ICMPMatch:
    type: int | None = None
    code: int | None = None


@dataclass(frozen=True)
class HTTPPath:
    kind: Literal["exact", "prefix"]
    value: str


@dataclass(frozen=True)
class HTTPMatch:
    methods: tuple[str, ...] = ()
    paths: tuple[HTTPPath, ...] = ()


@dataclass(frozen=True)
class ServiceAccountMatch:
    names: tuple[str, ...] = ()
    selector: str | None = None


@dataclass(frozen=True)
class EntityRule:
    """A rule's `source` or `destination`; every present field must match (AND)."""

    nets: tuple[str, ...] = ()
    not_nets: tuple[str, ...] = ()
    selector: str | None = None
    not_selector: str | None = None
    namespace_selector: str | None = None
    ports: tuple[PortRange, ...] = ()
    not_ports: tuple[PortRange, ...] = ()
    service_accounts: ServiceAccountMatch | None = None

    @property
    def has_identity(self) -> bool:
        """True when the entity names endpoints (selectors), not only addresses or ports."""
        return any(
            x is not None
            for x in (self.selector, self.not_selector, self.namespace_selector, self.service_accounts)
        )


@dataclass(frozen=True)
class CalicoRule:
    action: Action
    protocol: str | int | None = None
    not_protocol: str | int | None = None
    icmp: ICMPMatch | None = None
    not_icmp: ICMPMatch | None = None
    source: EntityRule = EntityRule()
    destination: EntityRule = EntityRule()
    http: HTTPMatch | None = None
    ip_version: int | None = None


@dataclass(frozen=True, eq=False)
class CalicoPolicy:
    """NetworkPolicy (namespace set) or GlobalNetworkPolicy (namespace None), maybe staged."""

    name: str
    namespace: str | None
    tier: str = "default"
    order: float | None = None
    selector: str = ""
    types: tuple[Literal["Ingress", "Egress"], ...] = ("Ingress",)
    ingress: tuple[CalicoRule, ...] = ()
    egress: tuple[CalicoRule, ...] = ()
    namespace_selector: str | None = None  # GlobalNetworkPolicy only
    service_account_selector: str | None = None
    staged: bool = False
    do_not_track: bool = False
    pre_dnat: bool = False
    apply_on_forward: bool = False
    origin: Origin = Origin()
    field_lines: Mapping[str, int] = field(default_factory=dict, repr=False)

    @property
    def is_global(self) -> bool:
        return self.namespace is None

    @property
    def kind(self) -> str:
        base = "GlobalNetworkPolicy" if self.is_global else "NetworkPolicy"
        return f"Staged{base}" if self.staged else base

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.kind, self.name, self.namespace)



"""Sets of endpoints: who a policy applies to, and who a rule's peer is.

One small type per way of naming endpoints (after policy-assistant's peer matchers):
pods by namespace and labels, address blocks, Calico selectors, and the fail-closed
stand-in for peer kinds npkit cannot see. Each answers `check` for one endpoint (with
a reason) and `mask` for every pod.
"""

from __future__ import annotations

import ipaddress
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from ...model import LabelSelector
from ...selectors import k8s as labelsel
from ...selectors.calico import Selector
from ..probe import Endpoint
from ..universe import Mask, Universe, ip_in
from .base import full

EVERY_ADDRESS = ("0.0.0.0/0", "::/0")


def _labels_text(labels: dict[str, str]) -> str:
    if not labels:
        return "{}"
    return "{" + ", ".join(f"{k}: {v}" for k, v in sorted(labels.items())) + "}"


class EndpointSet(ABC):
    """A set of endpoints, with membership for one endpoint and for all pods."""

    @abstractmethod
    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        """Whether `ep` belongs to the set, and a sentence saying why (or why not)."""

    @abstractmethod
    def mask(self, u: Universe) -> Mask:
        """Membership of every pod."""

    @abstractmethod
    def describe(self) -> str:
        """The set in words."""

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        """CIDRs whose every address belongs to the set, whether or not a pod has it.

        Together with the pods of `mask`, they are the whole set as a packet filter sees it
        (by address). Sets that name pods by labels only have none.
        """
        return ()


# -- namespaces ------------------------------------------------------------------------------
class NamespaceMatcher(ABC):
    @abstractmethod
    def check(self, namespace: str, u: Universe) -> tuple[bool, str]: ...

    @abstractmethod
    def mask(self, u: Universe) -> Mask: ...

    @abstractmethod
    def describe(self) -> str: ...


@dataclass(frozen=True)
class ExactNamespace(NamespaceMatcher):
    """The policy's own namespace (a peer with only a podSelector)."""

    name: str

    def check(self, namespace: str, u: Universe) -> tuple[bool, str]:
        if namespace == self.name:
            return True, f"it is in namespace {self.name}"
        return False, (
            f"it is in namespace {namespace}, but a podSelector without a namespaceSelector "
            f"only selects pods in the policy's own namespace {self.name}"
        )

    def mask(self, u: Universe) -> Mask:
        return u.namespace_mask(self.name)

    def describe(self) -> str:
        return f"namespace {self.name}"


@dataclass(frozen=True)
class NamespacesBySelector(NamespaceMatcher):
    selector: LabelSelector

    def check(self, namespace: str, u: Universe) -> tuple[bool, str]:
        ns = u.namespaces.get(namespace)
        labels = ns.labels if ns else {}
        why = labelsel.mismatch(self.selector, labels)
        if why is None:
            return True, f"namespace {namespace} matches namespaceSelector {labelsel.describe(self.selector)}"
        return False, (f"namespace {namespace} {_labels_text(labels)} does not match namespaceSelector "
                       f"{labelsel.describe(self.selector)}: {why}")

    def mask(self, u: Universe) -> Mask:
        return u.pods_in_namespaces(labelsel.mask(self.selector, u.ns_index))

    def describe(self) -> str:
        if self.selector.is_empty:
            return "every namespace"
        return f"namespaces matching {labelsel.describe(self.selector)}"


# -- endpoint sets -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Pods(EndpointSet):
    """Pods whose namespace matches `namespaces` and whose labels match `pods`."""

    namespaces: NamespaceMatcher
    pods: LabelSelector = LabelSelector()

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        pod = ep.pod
        if pod is None:
            return False, f"{ep} is not a pod of the cluster; pod and namespace selectors only match pods"
        if pod.host_network:
            return False, f"{ep} uses the host network; policies do not treat it as a pod"
        ok, why = self.namespaces.check(pod.namespace, u)
        if not ok:
            return False, f"{ep}: {why}"
        mismatch = labelsel.mismatch(self.pods, pod.labels)
        if mismatch is not None:
            return False, (f"{ep} {_labels_text(pod.labels)} does not match podSelector "
                           f"{labelsel.describe(self.pods)}: {mismatch}")
        return True, f"{ep} matches ({why}; podSelector {labelsel.describe(self.pods)})"

    def mask(self, u: Universe) -> Mask:
        return self.namespaces.mask(u) & labelsel.mask(self.pods, u.pod_index) & u.endpoints

    def describe(self) -> str:
        if self.pods.is_empty:
            return f"every pod in {self.namespaces.describe()}"
        return f"pods matching {labelsel.describe(self.pods)} in {self.namespaces.describe()}"


@dataclass(frozen=True)
class Networks(EndpointSet):
    """Addresses inside any of `cidrs` but none of `excepts` (ipBlock, CNP networks, Calico nets)."""

    cidrs: tuple[str, ...]
    excepts: tuple[str, ...] = ()

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        inside = [c for c in self.cidrs if ip_in(ep.ip, c)]
        if not inside:
            return False, f"{ep} ({ep.ip}) is outside {', '.join(self.cidrs)}"
        excluded = [c for c in self.excepts if ip_in(ep.ip, c)]
        if excluded:
            return False, f"{ep} ({ep.ip}) is inside {inside[0]} but excluded by except {excluded[0]}"
        return True, f"{ep} ({ep.ip}) is inside {inside[0]}"

    def mask(self, u: Universe) -> Mask:
        return u.nets_mask(self.cidrs) & ~u.nets_mask(self.excepts)

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        """The CIDRs with the excepts cut out.

        >>> Networks(("10.0.0.0/8",), ("10.0.0.0/9",)).address_blocks(None)
        ('10.128.0.0/9',)
        """
        return cidrs_except(self.cidrs, self.excepts)

    def describe(self) -> str:
        text = ", ".join(self.cidrs)
        return f"{text} except {', '.join(self.excepts)}" if self.excepts else text


@dataclass(frozen=True)
class CalicoSelection(EndpointSet):
    """Endpoints (and, for rule peers, network-set addresses) matching a scoped Calico selector.

    `selector` is the effective selector after Calico's scoping rewrite; `shown` is what
    the user wrote plus the scope, for explanations.
    """

    selector: Selector
    shown: str
    network_sets: bool = True

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        if ep.pod is not None and not ep.pod.host_network:
            labels = u.calico_labels[ep.index] if ep.index is not None else {}
            why = self.selector.explain(labels)
            if why is None:
                return True, f"{ep} matches {self.shown}"
            reason = f"{ep} does not match {self.shown}: {why}"
        else:
            reason = f"{ep} is not a Calico endpoint"
        if self.network_sets:
            for s, labels in zip(u.network_sets, u.netset_labels, strict=True):
                if self.selector.matches(labels):
                    hit = next((c for c in s.nets if ip_in(ep.ip, c)), None)
                    if hit:
                        return True, f"{ep.ip} is inside {hit} of {s.ref}, which matches {self.shown}"
            if ep.pod is None:
                reason += " and lies in no network set that the selector matches"
        return False, reason

    def mask(self, u: Universe) -> Mask:
        out = self.selector.mask(u.calico_index) & u.endpoints
        if self.network_sets and u.network_sets:
            hits = self.selector.mask(u.netset_index)
            for s, hit in zip(u.network_sets, hits, strict=True):
                if hit:
                    out = out | u.nets_mask(s.nets)
        return out

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        """The nets of every network set the selector matches (rule peers only)."""
        if not (self.network_sets and u.network_sets):
            return ()
        hits = self.selector.mask(u.netset_index)
        return tuple(c for s, hit in zip(u.network_sets, hits, strict=True) if hit for c in s.nets)

    def describe(self) -> str:
        return self.shown


@dataclass(frozen=True)
class FailClosed(EndpointSet):
    """A peer npkit cannot evaluate (CNP `nodes`, `domainNames`, unknown kinds).

    The API says to fail closed: an Accept rule matches nothing, a Deny or Pass rule matches
    everything (docs/semantics/clusternetworkpolicy.md).
    """

    kind: str
    matches_everything: bool

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        effect = "matches everything" if self.matches_everything else "matches nothing"
        why = f"{self.kind} peers are not evaluated by npkit; failing closed, this peer {effect}"
        return self.matches_everything, why

    def mask(self, u: Universe) -> Mask:
        return full(u, self.matches_everything)

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        return EVERY_ADDRESS if self.matches_everything else ()

    def describe(self) -> str:
        return f"{self.kind} (not evaluated; fails closed)"


def cidrs_except(cidrs: tuple[str, ...], excepts: tuple[str, ...]) -> tuple[str, ...]:
    """The addresses of `cidrs` outside every one of `excepts`, as the fewest CIDRs.

    >>> cidrs_except(("10.1.0.0/16",), ("10.1.1.0/24", "10.1.2.0/24"))[:3]
    ('10.1.0.0/24', '10.1.3.0/24', '10.1.4.0/22')
    """
    out = []
    for text in cidrs:
        blocks = [ipaddress.ip_network(text, strict=False)]
        for e in excepts:
            cut = ipaddress.ip_network(e, strict=False)
            next_blocks = []
            for b in blocks:
                if b.version != cut.version or not b.overlaps(cut):
                    next_blocks.append(b)
                elif not cut.supernet_of(b):
                    next_blocks.extend(b.address_exclude(cut))
            blocks = next_blocks
        out.extend(blocks)
    merged = [n for version in (4, 6) for n in ipaddress.collapse_addresses(b for b in out if b.version == version)]
    return tuple(str(n) for n in merged)


def any_mask(sets: tuple[EndpointSet, ...], u: Universe) -> Mask:
    """Union of the masks of `sets`."""
    out = np.zeros(u.size, dtype=bool)
    for s in sets:
        out |= s.mask(u)
    return out

"""Sets of endpoints: who a policy applies to, and who a rule's peer is.

One small type per way of naming endpoints (after policy-assistant's peer matchers):
pods by namespace and labels, address blocks, Calico selectors, node addresses, and the
stand-in for peers npkit cannot resolve (domain names). Each answers `check` for one endpoint (with
a reason) and `mask` for every pod.
"""

from __future__ import annotations

import ipaddress
from abc import ABC, abstractmethod
from dataclasses import dataclass
from ipaddress import IPv4Network, IPv6Network
from typing import TypeVar

import numpy as np

from ...i18n import LazyText, messages
from ...model import LabelSelector, NetworkSet
from ...selectors import k8s as labelsel
from ..probe import Endpoint
from ..universe import Mask, Universe, ip_in
from .base import full

TYPE_CHECKING = False  # typing's is not needed: the Calico selector language is imported only when used
if TYPE_CHECKING:
    from ...selectors.calico import Selector

_ = messages("npkit").gettext

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

    def named_cidrs(self, u: Universe) -> tuple[str, ...]:
        """Every address block the set's definition names, exceptions included (ProgramCriteria)."""
        return self.address_blocks(u)


# -- namespaces ------------------------------------------------------------------------------
class NamespaceMatcher(ABC):
    @abstractmethod
    def check(self, namespace: str, u: Universe) -> tuple[bool, str]: ...

    @abstractmethod
    def mask(self, u: Universe) -> Mask: ...

    @abstractmethod
    def describe(self) -> str: ...

    @abstractmethod
    def pods(self, selector: str | None) -> str:
        """The pods matching `selector` (its text; None: every pod) in these namespaces, in words."""


@dataclass(frozen=True)
class ExactNamespace(NamespaceMatcher):
    """The policy's own namespace (a peer with only a podSelector)."""

    name: str

    def check(self, namespace: str, u: Universe) -> tuple[bool, str]:
        if namespace == self.name:
            return True, _("it is in namespace {namespace}").format(namespace=self.name)
        return False, _("it is in namespace {namespace}, but a podSelector without a namespaceSelector only selects "
                        "pods in the policy's own namespace {own}").format(namespace=namespace, own=self.name)

    def mask(self, u: Universe) -> Mask:
        return u.namespace_mask(self.name)

    def describe(self) -> str:
        return _("namespace {namespace}").format(namespace=self.name)

    def pods(self, selector: str | None) -> str:
        if selector is None:
            return _("every pod in namespace {namespace}").format(namespace=self.name)
        return _("pods matching {selector} in namespace {namespace}").format(selector=selector, namespace=self.name)


@dataclass(frozen=True)
class NamespacesBySelector(NamespaceMatcher):
    selector: LabelSelector

    def check(self, namespace: str, u: Universe) -> tuple[bool, str]:
        ns = u.namespaces.get(namespace)
        labels = ns.labels if ns else {}
        why = labelsel.mismatch(self.selector, labels)
        if why is None:
            return True, _("namespace {namespace} matches namespaceSelector {selector}").format(
                namespace=namespace, selector=labelsel.describe(self.selector))
        return False, _("namespace {namespace} {labels} does not match namespaceSelector {selector}: {why}").format(
            namespace=namespace, labels=_labels_text(labels), selector=labelsel.describe(self.selector), why=why)

    def mask(self, u: Universe) -> Mask:
        return u.pods_in_namespaces(labelsel.mask(self.selector, u.ns_index))

    def describe(self) -> str:
        if self.selector.is_empty:
            return _("every namespace")
        return _("namespaces matching {selector}").format(selector=labelsel.describe(self.selector))

    def pods(self, selector: str | None) -> str:
        if self.selector.is_empty:
            if selector is None:
                return _("every pod in every namespace")
            return _("pods matching {selector} in every namespace").format(selector=selector)
        namespaces = labelsel.describe(self.selector)
        if selector is None:
            return _("every pod in namespaces matching {namespaces}").format(namespaces=namespaces)
        return _("pods matching {selector} in namespaces matching {namespaces}").format(selector=selector,
                                                                                          namespaces=namespaces)


# -- endpoint sets -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Pods(EndpointSet):
    """Pods whose namespace matches `namespaces` and whose labels match `pods`."""

    namespaces: NamespaceMatcher
    pods: LabelSelector = LabelSelector()

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        pod = ep.pod
        if pod is None:
            return False, _("{endpoint} is not a pod of the cluster; pod and namespace selectors only match "
                            "pods").format(endpoint=ep)
        if pod.host_network:
            return False, _("{endpoint} uses the host network; policies do not treat it as a pod").format(endpoint=ep)
        ok, why = self.namespaces.check(pod.namespace, u)
        if not ok:
            return False, _("{endpoint}: {why}").format(endpoint=ep, why=why)
        mismatch = labelsel.mismatch(self.pods, pod.labels)
        if mismatch is not None:
            return False, _("{endpoint} {labels} does not match podSelector {selector}: {why}").format(
                endpoint=ep, labels=_labels_text(pod.labels), selector=labelsel.describe(self.pods), why=mismatch)
        return True, _("{endpoint} matches ({why}; podSelector {selector})").format(
            endpoint=ep, why=why, selector=labelsel.describe(self.pods))

    def mask(self, u: Universe) -> Mask:
        out: Mask = self.namespaces.mask(u) & labelsel.mask(self.pods, u.pod_index) & u.endpoints
        return out

    def describe(self) -> str:
        return self.namespaces.pods(None if self.pods.is_empty else labelsel.describe(self.pods))


@dataclass(frozen=True)
class Networks(EndpointSet):
    """Addresses inside any of `cidrs` but none of `excepts` (ipBlock, CNP networks, Calico nets)."""

    cidrs: tuple[str, ...]
    excepts: tuple[str, ...] = ()

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        inside = [c for c in self.cidrs if ip_in(ep.ip, c)]
        if not inside:
            return False, _("{endpoint} ({ip}) is outside {cidrs}").format(endpoint=ep, ip=ep.ip,
                                                                           cidrs=", ".join(self.cidrs))
        excluded = [c for c in self.excepts if ip_in(ep.ip, c)]
        if excluded:
            return False, _("{endpoint} ({ip}) is inside {cidr} but excluded by except {excluded}").format(
                endpoint=ep, ip=ep.ip, cidr=inside[0], excluded=excluded[0])
        return True, _("{endpoint} ({ip}) is inside {cidr}").format(endpoint=ep, ip=ep.ip, cidr=inside[0])

    def mask(self, u: Universe) -> Mask:
        out: Mask = u.nets_mask(self.cidrs) & ~u.nets_mask(self.excepts)
        return out

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        """The CIDRs with the excepts cut out.

        >>> Networks(("10.0.0.0/8",), ("10.0.0.0/9",)).address_blocks(None)
        ('10.128.0.0/9',)
        """
        return cidrs_except(self.cidrs, self.excepts)

    def named_cidrs(self, u: Universe) -> tuple[str, ...]:
        return self.cidrs + self.excepts

    def describe(self) -> str:
        text = ", ".join(self.cidrs)
        if not self.excepts:
            return text
        return _("{cidrs} except {excepts}").format(cidrs=text, excepts=", ".join(self.excepts))


@dataclass(frozen=True)
class CalicoSelection(EndpointSet):
    """Endpoints (and, for rule peers, network-set addresses) matching a scoped Calico selector.

    `selector` is the effective selector after Calico's scoping rewrite; `shown` is what
    the user wrote plus the scope, for explanations.
    """

    selector: Selector
    shown: str | LazyText  # rendered when shown, in the language of that moment
    network_sets: bool = True

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        if ep.pod is not None and not ep.pod.host_network:
            labels = u.calico_labels[ep.index] if ep.index is not None else {}
            why = self.selector.explain(labels)
            if why is None:
                return True, _("{endpoint} matches {selector}").format(endpoint=ep, selector=self.shown)
            reason = _("{endpoint} does not match {selector}: {why}").format(endpoint=ep, selector=self.shown, why=why)
        elif ep.pod is None and self.network_sets:
            reason = _("{endpoint} is not a Calico endpoint and lies in no network set that the selector "
                       "matches").format(endpoint=ep)
        else:
            reason = _("{endpoint} is not a Calico endpoint").format(endpoint=ep)
        if self.network_sets:
            for s, labels in zip(u.network_sets, u.netset_labels, strict=True):
                if self.selector.matches(labels):
                    hit = next((c for c in s.nets if ip_in(ep.ip, c)), None)
                    if hit:
                        return True, _("{ip} is inside {cidr} of {netset}, which matches {selector}").format(
                            ip=ep.ip, cidr=hit, netset=s.ref, selector=self.shown)
        return False, reason

    def mask(self, u: Universe) -> Mask:
        out: Mask = self.selector.mask(u.calico_index) & u.endpoints
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
        return str(self.shown)


@dataclass(frozen=True)
class PodsAndNetworkSets(EndpointSet):
    """`pods`, plus the addresses of the namespaced NetworkSets in the namespaces `pods` selects.

    How Calico matches a ClusterNetworkPolicy `namespaces` peer: its converter writes it as a rule
    namespaceSelector with no selector, which NetworkSets of those namespaces match too (they carry
    their namespace's labels).
    """

    pods: Pods

    def _sets(self, u: Universe) -> list[NetworkSet]:
        ns = self.pods.namespaces
        return [s for s in u.network_sets if s.namespace is not None and ns.check(s.namespace, u)[0]]

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        ok, why = self.pods.check(ep, u)
        if ok:
            return ok, why
        for s in self._sets(u):
            hit = next((c for c in s.nets if ip_in(ep.ip, c)), None)
            if hit:
                return True, _("{ip} is inside {cidr} of {netset}, in namespace {namespace}: Calico's namespaces peer "
                               "takes in the NetworkSets of the namespaces it selects").format(
                    ip=ep.ip, cidr=hit, netset=s.ref, namespace=s.namespace)
        return False, why

    def mask(self, u: Universe) -> Mask:
        out = self.pods.mask(u)
        for s in self._sets(u):
            out = out | u.nets_mask(s.nets)
        return out

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        return tuple(c for s in self._sets(u) for c in s.nets)

    def describe(self) -> str:
        return _("{pods}, and the NetworkSets there").format(pods=self.pods.describe())


@dataclass(frozen=True)
class NodeAddresses(EndpointSet):
    """ClusterNetworkPolicy `nodes`: the InternalIP / ExternalIP addresses of the Nodes the selector picks.

    As kube-network-policies compares them with the packet's address, a pod matches only if it
    has a node's address (host-network pods do); with no Node objects loaded nothing matches.
    """

    selector: LabelSelector

    def _ips(self, u: Universe) -> dict[str, str]:
        """Address → the Node that has it, for the Nodes the selector picks."""
        return {ip: n.name for n in u.cluster.nodes if labelsel.mismatch(self.selector, n.labels) is None
                for ip in n.ips}

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        if not u.cluster.nodes:
            return False, _("no Node objects are loaded, so a nodes peer matches no address")
        ips = self._ips(u)
        node = ips.get(ep.ip)
        if node is not None:
            return True, _("{endpoint} ({ip}) is an address of Node {node}").format(endpoint=ep, ip=ep.ip, node=node)
        if not ips:
            return False, _("no loaded Node matches nodes selector {selector}").format(
                selector=labelsel.describe(self.selector))
        return False, _("{endpoint} ({ip}) is not an InternalIP or ExternalIP of {nodes}").format(
            endpoint=ep, ip=ep.ip, nodes=self.describe())

    def mask(self, u: Universe) -> Mask:
        ips = self._ips(u)
        return np.array([p.ip in ips for p in u.pods], dtype=bool)

    def address_blocks(self, u: Universe) -> tuple[str, ...]:
        return tuple(str(ipaddress.ip_network(ip)) for ip in sorted(self._ips(u)))

    def describe(self) -> str:
        if self.selector.is_empty:
            return _("every node")
        return _("nodes matching {selector}").format(selector=labelsel.describe(self.selector))


@dataclass(frozen=True)
class Unresolved(EndpointSet):
    """A peer npkit cannot resolve to addresses (ClusterNetworkPolicy `domainNames`): it matches nothing."""

    kind: str
    why: str

    def check(self, ep: Endpoint, u: Universe) -> tuple[bool, str]:
        return False, self.why

    def mask(self, u: Universe) -> Mask:
        return full(u, False)

    def describe(self) -> str:
        return _("{kind} (not resolved by npkit)").format(kind=self.kind)


def cidrs_except(cidrs: tuple[str, ...], excepts: tuple[str, ...]) -> tuple[str, ...]:
    """The addresses of `cidrs` outside every one of `excepts`, as the fewest CIDRs.

    >>> cidrs_except(("10.1.0.0/16",), ("10.1.1.0/24", "10.1.2.0/24"))[:3]
    ('10.1.0.0/24', '10.1.3.0/24', '10.1.4.0/22')
    """
    cuts = [ipaddress.ip_network(e, strict=False) for e in excepts]
    v4: list[IPv4Network] = []
    v6: list[IPv6Network] = []
    for text in cidrs:
        net = ipaddress.ip_network(text, strict=False)
        if isinstance(net, IPv4Network):
            v4 += _cut(net, [c for c in cuts if isinstance(c, IPv4Network)])
        else:
            v6 += _cut(net, [c for c in cuts if isinstance(c, IPv6Network)])
    merged = [*ipaddress.collapse_addresses(v4), *ipaddress.collapse_addresses(v6)]
    return tuple(str(n) for n in merged)


_Net = TypeVar("_Net", IPv4Network, IPv6Network)


def _cut(net: _Net, cuts: list[_Net]) -> list[_Net]:
    """`net` without the addresses of `cuts` (all of one family)."""
    blocks = [net]
    for cut in cuts:
        kept: list[_Net] = []
        for b in blocks:
            if not b.overlaps(cut):
                kept.append(b)
            elif not cut.supernet_of(b):
                kept.extend(b.address_exclude(cut))
        blocks = kept
    return blocks


def any_mask(sets: tuple[EndpointSet, ...], u: Universe) -> Mask:
    """Union of the masks of `sets`."""
    out = np.zeros(u.size, dtype=bool)
    for s in sets:
        out |= s.mask(u)
    return out

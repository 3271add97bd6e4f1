"""The endpoints a cluster contains, indexed so that matchers can answer for all pods at once."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from functools import cached_property

import numpy as np

from ..i18n import messages
from ..model import NAMESPACE_NAME_LABEL, Cluster, Namespace, NetworkSet, Pod
from ..model.addresses import ipv4_value
from ..selectors import LabelIndex
from .probe import Endpoint

_ = messages("npkit").gettext

Mask = np.ndarray  # bool array with one entry per pod of the universe


def calico_pod_labels(pod: Pod, ns: Namespace) -> dict[str, str]:
    """The labels Calico puts on a pod's workload endpoint (docs/semantics/calico.md, labels).

    >>> sorted(calico_pod_labels(Pod("a", "x", {"app": "web"}), Namespace("x", {"team": "t"})))[:4]
    ['app', 'pcns.projectcalico.org/name', 'pcns.team', 'pcsa.projectcalico.org/name']
    """
    labels = dict(pod.labels)
    labels["projectcalico.org/namespace"] = pod.namespace
    labels["projectcalico.org/orchestrator"] = "k8s"
    if len(pod.service_account) < 63:
        labels["projectcalico.org/serviceaccount"] = pod.service_account
    for k, v in ns.labels.items():
        labels["pcns." + k] = v
    labels["pcns.projectcalico.org/name"] = pod.namespace
    labels["pcsa.projectcalico.org/name"] = pod.service_account
    return labels


def calico_netset_labels(netset: NetworkSet, ns: Namespace | None) -> dict[str, str]:
    """Labels of a (Global)NetworkSet as rule selectors see them."""
    labels = dict(netset.labels)
    if netset.namespace is not None:
        labels["projectcalico.org/namespace"] = netset.namespace
        for k, v in (ns.labels if ns else {}).items():
            labels["pcns." + k] = v
        labels["pcns.projectcalico.org/name"] = netset.namespace
    return labels


class Universe:
    """Pods (sorted by namespace/name), namespaces and network sets, with label indexes."""

    def __init__(self, cluster: Cluster):
        self.cluster = cluster
        self.pods: tuple[Pod, ...] = tuple(sorted(cluster.pods, key=lambda p: (p.namespace, p.name)))
        self.keys: tuple[str, ...] = tuple(p.key for p in self.pods)
        self.index_of: dict[str, int] = {k: i for i, k in enumerate(self.keys)}
        self.namespaces: dict[str, Namespace] = dict(cluster.namespaces)
        for p in self.pods:  # the loader normally adds these; be safe for hand-built clusters
            self.namespaces.setdefault(p.namespace, Namespace(p.namespace, {NAMESPACE_NAME_LABEL: p.namespace}))
        self.ns_names: tuple[str, ...] = tuple(self.namespaces)
        ns_pos = {n: i for i, n in enumerate(self.ns_names)}
        self.pod_ns = np.array([ns_pos[p.namespace] for p in self.pods], dtype=np.int64)
        self.size = len(self.pods)
        # hostNetwork pods have no workload endpoint: policies neither select nor protect them
        self.endpoints: Mask = np.array([not p.host_network for p in self.pods], dtype=bool)
        self._cidr_cache: dict[str, Mask] = {}
        self._ns_cache: dict[str, Mask] = {}
        self._named_ports: dict[tuple[str, str], np.ndarray] = {}

    # -- endpoints ---------------------------------------------------------------------------
    def endpoint(self, ref: str) -> Endpoint:
        """A pod by `namespace/name`, a pod by its IP, or an address outside the cluster."""
        if ref in self.index_of:
            i = self.index_of[ref]
            return Endpoint(ref, self.pods[i].ip, self.pods[i], i)
        try:
            ip = str(ipaddress.ip_address(ref))
        except ValueError:
            close = [k for k in self.keys if k.split("/")[-1] == ref.split("/")[-1]][:5]
            if close:
                message = _("{ref} is neither a pod (namespace/name) nor an IP address. Did you mean {pods}?")
            else:
                message = _("{ref} is neither a pod (namespace/name) nor an IP address.")
            raise KeyError(message.format(ref=repr(ref), pods=", ".join(close))) from None
        for i, p in enumerate(self.pods):
            if p.ip == ip:
                return Endpoint(p.key, ip, p, i)
        return Endpoint(ip, ip, None, None)

    def pod_endpoint(self, i: int) -> Endpoint:
        p = self.pods[i]
        return Endpoint(p.key, p.ip, p, i)

    # -- label views ---------------------------------------------------------------------------
    @cached_property
    def pod_index(self) -> LabelIndex:
        """Index over Kubernetes pod labels."""
        return LabelIndex([p.labels for p in self.pods])

    @cached_property
    def ns_index(self) -> LabelIndex:
        """Index over namespace labels (one entry per namespace, in `ns_names` order)."""
        return LabelIndex([self.namespaces[n].labels for n in self.ns_names])

    @cached_property
    def calico_labels(self) -> tuple[dict[str, str], ...]:
        return tuple(calico_pod_labels(p, self.namespaces[p.namespace]) for p in self.pods)

    @cached_property
    def calico_index(self) -> LabelIndex:
        """Index over Calico workload-endpoint labels (pod labels plus Calico's own)."""
        return LabelIndex(self.calico_labels)

    @cached_property
    def network_sets(self) -> tuple[NetworkSet, ...]:
        return tuple(self.cluster.network_sets)

    @cached_property
    def netset_labels(self) -> tuple[dict[str, str], ...]:
        return tuple(
            calico_netset_labels(s, self.namespaces.get(s.namespace or "")) for s in self.network_sets
        )

    @cached_property
    def netset_index(self) -> LabelIndex:
        return LabelIndex(self.netset_labels)

    # -- masks ---------------------------------------------------------------------------------
    def namespace_mask(self, namespace: str) -> Mask:
        """Pods in `namespace`."""
        if namespace not in self._ns_cache:
            pos = self.ns_names.index(namespace) if namespace in self.ns_names else -1
            self._ns_cache[namespace] = self.pod_ns == pos
        return self._ns_cache[namespace]

    def named_port_numbers(self, name: str, protocol: str) -> np.ndarray:
        """For every pod, the number its container port `name` has for `protocol` (-1 where it has none).

        Computed once per (name, protocol): a matrix asks it for every rule and kind of traffic.
        """
        key = (name, protocol)
        if key not in self._named_ports:
            numbers = [p.named_port(name, protocol) for p in self.pods]
            self._named_ports[key] = np.array([-1 if n is None else n for n in numbers], dtype=np.int32)
        return self._named_ports[key]

    def pods_in_namespaces(self, ns_mask: Mask) -> Mask:
        """Pods whose namespace is selected by `ns_mask` (one entry per namespace)."""
        if self.size == 0:
            return np.zeros(0, dtype=bool)
        return np.asarray(ns_mask, dtype=bool)[self.pod_ns]

    @cached_property
    def ip_versions(self) -> np.ndarray:
        """The IP family of every pod's address (4 or 6; 0 when it has none), computed once."""
        values, is_v4 = self._ipv4
        out = np.where(is_v4, 4, 0).astype(np.int8)
        for i in np.flatnonzero(~is_v4):
            try:
                out[i] = ipaddress.ip_address(self.pods[i].ip).version
            except ValueError:
                pass
        out.flags.writeable = False
        return out

    def family_mask(self, version: int) -> Mask | bool:
        """Pods whose address is of IP `version`; a plain bool when all pods agree (the usual case)."""
        return self._families.get(version, False)

    @cached_property
    def _families(self) -> dict[int, Mask | bool]:
        versions = self.ip_versions
        out: dict[int, Mask | bool] = {}
        for v in (4, 6):
            m = versions == v
            out[v] = bool(m.all()) if (m.all() or not m.any()) else m
        return out

    @cached_property
    def _ipv4(self) -> tuple[np.ndarray, Mask]:
        numbers = [ipv4_value(p.ip) for p in self.pods]
        is_v4 = np.array([v is not None for v in numbers], dtype=bool)
        values = np.array([v or 0 for v in numbers], dtype=np.uint32)
        return values, is_v4

    def cidr_mask(self, cidr: str) -> Mask:
        """Pods whose IP lies inside `cidr`."""
        if cidr not in self._cidr_cache:
            net = ipaddress.ip_network(cidr, strict=False)
            if net.version == 4:
                values, is_v4 = self._ipv4
                netmask = np.uint32(int(net.netmask))
                mask = is_v4 & ((values & netmask) == np.uint32(int(net.network_address)))
            else:
                mask = np.array([ip_in(p.ip, cidr) for p in self.pods], dtype=bool)
            mask.flags.writeable = False
            self._cidr_cache[cidr] = mask
        return self._cidr_cache[cidr]

    def nets_mask(self, cidrs: Iterable[str]) -> Mask:
        """Pods whose IP lies inside any of `cidrs`."""
        out = np.zeros(self.size, dtype=bool)
        for c in cidrs:
            out |= self.cidr_mask(c)
        return out


def ip_in(ip: str, cidr: str) -> bool:
    """Whether address `ip` lies inside `cidr` (False for malformed or mixed families).

    >>> ip_in("10.0.1.5", "10.0.0.0/16"), ip_in("10.1.0.1", "10.0.0.0/16")
    (True, False)
    """
    try:
        addr = ipaddress.ip_address(ip)
        net = ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return False
    return addr.version == net.version and addr in net

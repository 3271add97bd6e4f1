"""The loaded cluster plus a few made-up pods, to ask the engine about defaults and DNS.

- one unlabelled pod in every namespace: "a pod created tomorrow" (is there a default deny?);
- a namespace `npkit-elsewhere` with an unlabelled pod and one labelled k8s-app=kube-dns:
  a stranger, and a pod that merely claims to be DNS (does the DNS rule trust a label?);
- a kube-dns pod in kube-system when none was loaded (said so in every message that uses it).

Real pods keep their names, labels and addresses; the made-up ones get free addresses in
10.244.0.0/16 and names starting with `npkit-` (or `coredns`) that no loaded pod uses.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from ..diff.probes import unused_port
from ..engine import Engine
from ..engine.program import Dataplane
from ..model import NAMESPACE_NAME_LABEL, Cluster, ContainerPort, Namespace, Pod

NEW_POD = "npkit-new-pod"
ELSEWHERE = "npkit-elsewhere"
DNS_LABELS = {"k8s-app": "kube-dns"}
DNS_NAMESPACE = "kube-system"
DNS_PORTS = (ContainerPort(53, "UDP", "dns"), ContainerPort(53, "TCP", "dns-tcp"))


@dataclass(frozen=True, eq=False)
class WhatIf:
    engine: Engine  # over the loaded cluster plus the made-up pods
    new_pods: dict[str, str]  # namespace -> key of its made-up unlabelled pod
    stranger: str  # npkit-elsewhere/npkit-stranger: unlabelled, in an unlabelled namespace
    impostor: str  # npkit-elsewhere/npkit-impostor: labelled k8s-app=kube-dns
    kube_dns: tuple[str, ...]  # keys of the kube-dns pods in kube-system
    assumed_dns: bool  # True when the kube-dns pod is made up
    unused_port: int  # a TCP port no policy names and no container declares

    def index(self, key: str) -> int:
        return self.engine.universe.index_of[key]

    def reach(self, port: int, protocol: str) -> np.ndarray:
        """allowed[src, dst] over every pod, real and made up."""
        return self.engine.reachability(port, protocol)


def is_kube_dns(pod: Pod) -> bool:
    return (pod.namespace == DNS_NAMESPACE and not pod.host_network
            and all(pod.labels.get(k) == v for k, v in DNS_LABELS.items()))


def _free_addresses(taken: set[str]) -> Iterator[str]:
    # From the top of kind's pod range down, so made-up pods stay clear of the assigned ones.
    for block in range(255, -1, -1):
        for host in range(1, 255):
            ip = str(ipaddress.IPv4Address(f"10.244.{block}.{host}"))
            if ip not in taken:
                yield ip


def _free_name(wanted: str, namespace: str, pods: list[Pod]) -> str:
    names = {p.name for p in pods if p.namespace == namespace}
    name, n = wanted, 1
    while name in names:
        n += 1
        name = f"{wanted}-{n}"
    return name


def build_what_if(cluster: Cluster, dataplane: Dataplane = "calico", l7: bool = False) -> WhatIf:
    """The cluster with the made-up pods, and an engine over it."""
    pods = list(cluster.pods)
    namespaces = dict(cluster.namespaces)
    addresses = _free_addresses({p.ip for p in pods})
    made: list[Pod] = []

    def make(name: str, namespace: str, labels: dict[str, str], ports: tuple[ContainerPort, ...] = ()) -> str:
        pod = Pod(_free_name(name, namespace, pods + made), namespace, dict(labels), tuple(ports),
                  next(addresses), ip_assigned=True)
        made.append(pod)
        return pod.key

    new_pods = {ns: make(NEW_POD, ns, {}) for ns in sorted(namespaces) if ns != ELSEWHERE}
    namespaces.setdefault(ELSEWHERE, Namespace(ELSEWHERE, {NAMESPACE_NAME_LABEL: ELSEWHERE}, implicit=True))
    stranger = make("npkit-stranger", ELSEWHERE, {}, DNS_PORTS)
    impostor = make("npkit-impostor", ELSEWHERE, DNS_LABELS, DNS_PORTS)
    kube_dns = tuple(p.key for p in pods if is_kube_dns(p))
    assumed = not kube_dns
    if assumed:
        namespaces.setdefault(DNS_NAMESPACE, Namespace(DNS_NAMESPACE, {NAMESPACE_NAME_LABEL: DNS_NAMESPACE},
                                                       implicit=True))
        kube_dns = (make("coredns", DNS_NAMESPACE, DNS_LABELS, DNS_PORTS),)
    augmented = replace(cluster, pods=tuple(pods + made), namespaces=namespaces)
    engine = Engine(augmented, dataplane, l7)
    # The made-up pods count too: their named ports must not make the "unused" port a used one.
    return WhatIf(engine, new_pods, stranger, impostor, kube_dns, assumed, unused_port([engine]))

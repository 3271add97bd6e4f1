"""Namespaces, pods and labelled address sets: what policies select and what traffic flows between."""

from __future__ import annotations

from dataclasses import dataclass, field

from .meta import ObjectRef, Origin

PROTOCOLS_WITH_PORTS = ("TCP", "UDP", "SCTP")
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class ContainerPort:
    """A port a container declares: `containerPort`, `protocol` and optional `name`."""

    port: int
    protocol: str = "TCP"
    name: str | None = None

    def __str__(self) -> str:
        named = f" ({self.name})" if self.name else ""
        return f"{self.protocol}/{self.port}{named}"


@dataclass(frozen=True, eq=False)
class Namespace:
    """A namespace and its labels (always including `kubernetes.io/metadata.name`)."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    origin: Origin = Origin()
    implicit: bool = False  # created because a pod or policy named it, not loaded from YAML

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Namespace", self.name)


@dataclass(frozen=True, eq=False)
class Pod:
    """A pod as far as network policy cares: identity, labels, address and container ports.

    `key` is how the CLI, matrices and explanations name it:

    >>> Pod("web", "prod").key
    'prod/web'
    """

    name: str
    namespace: str
    labels: dict[str, str] = field(default_factory=dict)
    ports: tuple[ContainerPort, ...] = ()
    ip: str = ""
    ip_assigned: bool = False  # npkit chose the IP because status.podIP was absent
    service_account: str = "default"
    workload: ObjectRef | None = None  # set when this pod stands for a Deployment, Job, ...
    host_network: bool = False
    origin: Origin = Origin()

    @property
    def key(self) -> str:
        return f"{self.namespace}/{self.name}"

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Pod", self.name, self.namespace)

    def named_port(self, name: str, protocol: str) -> int | None:
        """The number of the container port called `name` with `protocol`, or None.

        >>> Pod("a", "x", ports=(ContainerPort(8080, "TCP", "http"),)).named_port("http", "TCP")
        8080
        """
        for p in self.ports:
            if p.name == name and p.protocol == protocol:
                return p.port
        return None


@dataclass(frozen=True, eq=False)
class NetworkSet:
    """Calico NetworkSet (namespaced) or GlobalNetworkSet (namespace None): labelled CIDRs."""

    name: str
    namespace: str | None
    labels: dict[str, str] = field(default_factory=dict)
    nets: tuple[str, ...] = ()
    origin: Origin = Origin()

    @property
    def ref(self) -> ObjectRef:
        kind = "NetworkSet" if self.namespace else "GlobalNetworkSet"
        return ObjectRef(kind, self.name, self.namespace)


# The address types kube-network-policies compares with a packet's address (NodeInternalIP, NodeExternalIP).
NODE_IP_TYPES = ("InternalIP", "ExternalIP")


@dataclass(frozen=True)
class NodeAddress:
    """One `status.addresses` entry of a Node: its type (InternalIP, ExternalIP, Hostname, ...) and value."""

    type: str
    address: str


@dataclass(frozen=True, eq=False)
class Node:
    """A Kubernetes Node as far as ClusterNetworkPolicy `nodes` peers care: labels and addresses."""

    name: str
    labels: dict[str, str] = field(default_factory=dict)
    addresses: tuple[NodeAddress, ...] = ()
    origin: Origin = Origin()

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef("Node", self.name)

    @property
    def ips(self) -> tuple[str, ...]:
        """The InternalIP and ExternalIP addresses, the ones a `nodes` peer matches.

        >>> Node("n", addresses=(NodeAddress("Hostname", "n"), NodeAddress("InternalIP", "172.18.0.2"))).ips
        ('172.18.0.2',)
        """
        return tuple(a.address for a in self.addresses if a.type in NODE_IP_TYPES)

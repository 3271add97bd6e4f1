"""Hypothesis strategies for random clusters with policies of all three families.

Vocabularies are small on purpose: collisions between labels, ports and addresses are
what exercise the interesting paths (AND vs OR peers, named ports, except blocks, Pass).
"""

from __future__ import annotations

from hypothesis import strategies as st

from npkit.model import (
    CalicoPolicy,
    CalicoRule,
    Cluster,
    ClusterNetworkPolicy,
    CNPPeer,
    CNPPort,
    CNPRule,
    CNPSubject,
    ContainerPort,
    EntityRule,
    IPBlock,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    NetworkSet,
    Node,
    NodeAddress,
    Peer,
    Pod,
    PolicyPort,
    PortRange,
    Requirement,
    Rule,
    Tier,
)
from npkit.model.calico import BUILTIN_TIERS

NAMESPACES = ("x", "y", "z")
POD_LABELS = {"app": ("web", "db", "api"), "role": ("fe", "be")}
NS_LABELS = {"team": ("a", "b"), "env": ("prod", "dev")}
PORTS = (ContainerPort(80, "TCP", "http"), ContainerPort(81, "TCP", "alt"), ContainerPort(53, "UDP", "dns"),
         ContainerPort(8080, "TCP", "http"))
TRAFFIC = (("TCP", 80), ("TCP", 81), ("UDP", 53), ("TCP", 8080), ("SCTP", 80))
CIDRS = ("10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24", "10.2.0.0/16", "192.168.0.0/16", "10.1.1.2/32")
# IPv6 blocks: Felix renders a rule whose nets or notNets have only these for IPv6 alone.
CIDRS_V6 = ("fd00::/8", "2001:db8::/32")
# Nodes whose addresses are no pod's: a nodes peer must not match pods (kube-network-policies).
NODES = (Node("n1", {"role": "worker"}, (NodeAddress("InternalIP", "10.9.0.1"), NodeAddress("Hostname", "n1"))),
         Node("n2", {"role": "control"}, (NodeAddress("ExternalIP", "10.9.0.2"),)))
EXCEPTS = {
    "10.0.0.0/8": ("10.1.0.0/16", "10.2.0.0/16"),
    "10.1.0.0/16": ("10.1.1.0/24",),
    "10.2.0.0/16": ("10.2.0.0/24",),
}


def labels(vocab: dict[str, tuple[str, ...]]) -> st.SearchStrategy[dict[str, str]]:
    return st.dictionaries(st.sampled_from(sorted(vocab)), st.sampled_from(sum(vocab.values(), ())), max_size=2)


def requirement(vocab) -> st.SearchStrategy[Requirement]:
    key = st.sampled_from(sorted(vocab))
    values = st.lists(st.sampled_from(sum(vocab.values(), ())), min_size=1, max_size=2, unique=True).map(tuple)
    return st.one_of(
        st.builds(Requirement, key, st.sampled_from(["In", "NotIn"]), values),
        st.builds(Requirement, key, st.sampled_from(["Exists", "DoesNotExist"]), st.just(())),
    )


def label_selector(vocab) -> st.SearchStrategy[LabelSelector]:
    return st.builds(
        lambda ml, ex: LabelSelector(tuple(sorted(ml.items())), tuple(ex)),
        labels(vocab), st.lists(requirement(vocab), max_size=1),
    )


def calico_selector(vocab, allow_empty: bool = True) -> st.SearchStrategy[str]:
    keys, values = sorted(vocab), sum(vocab.values(), ())
    atom = st.one_of(
        st.builds("{} == '{}'".format, st.sampled_from(keys), st.sampled_from(values)),
        st.builds("{} != '{}'".format, st.sampled_from(keys), st.sampled_from(values)),
        st.builds("has({})".format, st.sampled_from(keys)),
        st.builds("!has({})".format, st.sampled_from(keys)),
        st.builds("{} in {{'{}', '{}'}}".format, st.sampled_from(keys), st.sampled_from(values),
                  st.sampled_from(values)),
        st.builds("{} not in {{'{}'}}".format, st.sampled_from(keys), st.sampled_from(values)),
        st.builds("{} starts with '{}'".format, st.sampled_from(keys), st.sampled_from(["w", "d", "a", "f"])),
        st.just("all()"),
    )
    combined = st.one_of(atom, st.builds("{} && {}".format, atom, atom),
                         st.builds("({} || {})".format, atom, atom))
    return st.one_of(st.just(""), combined) if allow_empty else combined


@st.composite
def pods(draw) -> tuple[Pod, ...]:
    n = draw(st.integers(1, 7))
    out = []
    for i in range(n):
        ns = draw(st.sampled_from(NAMESPACES))
        ports = tuple(draw(st.lists(st.sampled_from(PORTS[:3]), max_size=3, unique=True)))
        if draw(st.booleans()) and not any(p.name == "http" for p in ports):
            ports = ports + (PORTS[3],) if draw(st.booleans()) else ports
        out.append(Pod(f"p{i}", ns, draw(labels(POD_LABELS)), ports, ip=f"10.{i % 3}.{i % 2 + 1}.{i + 2}",
                       service_account=draw(st.sampled_from(["default", "robot"]))))
    return tuple(out)


def ports_list() -> st.SearchStrategy[tuple[PolicyPort, ...]]:
    entry = st.one_of(
        st.builds(PolicyPort, st.sampled_from(["TCP", "UDP", "SCTP"]), st.sampled_from([80, 81, 53, 8080])),
        st.builds(PolicyPort, st.sampled_from(["TCP", "UDP"]), st.sampled_from(["http", "alt", "dns"])),
        st.builds(PolicyPort, st.sampled_from(["TCP", "UDP", "SCTP"]), st.none()),
        st.builds(lambda a: PolicyPort("TCP", a, a + 10), st.sampled_from([75, 80, 8075])),
    )
    return st.lists(entry, max_size=2).map(tuple)


def k8s_peer() -> st.SearchStrategy[Peer]:
    sel = label_selector(POD_LABELS)
    nssel = label_selector(NS_LABELS | {"kubernetes.io/metadata.name": NAMESPACES})
    cidr = st.sampled_from(sorted(EXCEPTS) + ["10.1.1.2/32"])
    return st.one_of(
        st.builds(Peer, pod_selector=sel),
        st.builds(Peer, namespace_selector=nssel),
        st.builds(Peer, pod_selector=sel, namespace_selector=nssel),
        cidr.flatmap(lambda c: st.builds(Peer, ip_block=st.builds(IPBlock, st.just(c), _excepts(c)))),
    )


def _excepts(cidr: str) -> st.SearchStrategy[tuple[str, ...]]:
    inside = EXCEPTS.get(cidr, ())
    return st.lists(st.sampled_from(inside), max_size=1).map(tuple) if inside else st.just(())


@st.composite
def network_policies(draw) -> tuple[NetworkPolicy, ...]:
    out = []
    for i in range(draw(st.integers(0, 3))):
        rule = st.builds(Rule, st.lists(k8s_peer(), max_size=2).map(tuple), ports_list())
        ingress = tuple(draw(st.lists(rule, max_size=2)))
        egress = tuple(draw(st.lists(rule, max_size=2)))
        types = draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress")]))
        out.append(NetworkPolicy(f"np{i}", draw(st.sampled_from(NAMESPACES)), draw(label_selector(POD_LABELS)),
                                 types, ingress, egress))
    return tuple(out)


def calico_ports() -> st.SearchStrategy[tuple[PortRange, ...]]:
    return st.lists(st.one_of(
        st.builds(lambda p: PortRange(p, p), st.sampled_from([80, 81, 53])),
        st.just(PortRange(75, 85)),
        st.builds(lambda n: PortRange(name=n), st.sampled_from(["http", "dns"])),
    ), max_size=2).map(tuple)


@st.composite
def entity(draw, global_policy: bool) -> EntityRule:
    kw = {}
    if draw(st.booleans()):
        kw["selector"] = draw(calico_selector(POD_LABELS, allow_empty=False))
    if draw(st.integers(0, 4)) == 0:
        kw["not_selector"] = draw(calico_selector(POD_LABELS, allow_empty=False))
    if draw(st.integers(0, 3)) == 0:
        choices = [calico_selector(NS_LABELS, allow_empty=False), st.just("all()")]
        if not kw.get("selector"):
            choices.append(st.just("global()"))
        kw["namespace_selector"] = draw(st.one_of(*choices))
    if draw(st.integers(0, 3)) == 0:
        kw["nets"] = tuple(draw(st.lists(st.sampled_from(CIDRS), min_size=1, max_size=2, unique=True)))
    if draw(st.integers(0, 4)) == 0:
        kw["not_nets"] = tuple(draw(st.lists(st.sampled_from(CIDRS + CIDRS_V6), min_size=1, max_size=1)))
    return EntityRule(**kw)


@st.composite
def calico_rule(draw, global_policy: bool) -> CalicoRule:
    action = draw(st.sampled_from(["Allow", "Allow", "Deny", "Pass", "Log"]))
    protocol = draw(st.sampled_from([None, "TCP", "UDP", 6]))
    dst = draw(entity(global_policy))
    if protocol is not None and draw(st.booleans()):
        dst = EntityRule(**{**dst.__dict__, "ports": draw(calico_ports())})
    not_protocol = draw(st.sampled_from([None, None, "UDP"]))
    src = draw(entity(global_policy))
    if any(":" not in c for e in (src, dst) for c in e.nets + e.not_nets):
        src, dst = _one_family(src), _one_family(dst)  # Calico's validator: one IP family per rule
    return CalicoRule(action, protocol=protocol, not_protocol=not_protocol, source=src, destination=dst)


def _one_family(e: EntityRule) -> EntityRule:
    """`e` without its IPv6 notNets (only notNets draw from CIDRS_V6)."""
    return EntityRule(**{**e.__dict__, "not_nets": tuple(c for c in e.not_nets if ":" not in c)})


@st.composite
def calico_policies(draw) -> tuple[CalicoPolicy, ...]:
    out = []
    for i in range(draw(st.integers(0, 3))):
        is_global = draw(st.booleans())
        types = draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress")]))
        rules = st.lists(calico_rule(is_global), max_size=3).map(tuple)
        out.append(CalicoPolicy(
            f"cp{i}", None if is_global else draw(st.sampled_from(NAMESPACES)),
            tier=draw(st.sampled_from(["default", "security", "late", "kube-admin"])),
            order=draw(st.sampled_from([None, 10.0, 500.0, 1000.0, 2000.0])),
            selector=draw(calico_selector(POD_LABELS)), types=types,
            ingress=draw(rules), egress=draw(rules),
            namespace_selector=draw(st.sampled_from([None, "team == 'a'"])) if is_global else None,
        ))
    return tuple(out)


@st.composite
def cluster_network_policies(draw) -> tuple[ClusterNetworkPolicy, ...]:
    nssel = label_selector(NS_LABELS | {"kubernetes.io/metadata.name": NAMESPACES})
    peer = st.one_of(
        st.builds(CNPPeer, st.just("namespaces"), nssel),
        st.builds(CNPPeer, st.just("pods"), nssel, label_selector(POD_LABELS)),
        st.builds(lambda n: CNPPeer("networks", networks=(n,)), st.sampled_from(CIDRS)),
        st.builds(lambda sel: CNPPeer("nodes", node_selector=sel), label_selector({"role": ("worker", "control")})),
    )
    port = st.one_of(
        st.builds(lambda p, n: CNPPort(p, n, n), st.sampled_from(["TCP", "UDP"]), st.sampled_from([80, 53])),
        st.builds(lambda n: CNPPort(named_port=n), st.sampled_from(["http", "dns"])),
        st.just(CNPPort("TCP", 79, 81)),
    )
    rule = st.builds(CNPRule, st.sampled_from(["Accept", "Deny", "Pass"]),
                     st.lists(peer, min_size=1, max_size=2).map(tuple),
                     st.lists(port, max_size=2).map(tuple))
    out = []
    for i in range(draw(st.integers(0, 2))):
        subject = draw(st.one_of(st.builds(CNPSubject, nssel),
                                 st.builds(CNPSubject, nssel, label_selector(POD_LABELS))))
        out.append(ClusterNetworkPolicy(
            f"cnp{i}", draw(st.sampled_from(["Admin", "Baseline"])), draw(st.sampled_from([0, 10, 10, 500])), subject,
            tuple(draw(st.lists(rule, max_size=2))), tuple(draw(st.lists(rule, max_size=2))),
        ))
    return tuple(out)


@st.composite
def clusters(draw) -> Cluster:
    ps = draw(pods())
    namespaces = {}
    for n in NAMESPACES:
        lab = draw(labels(NS_LABELS))
        lab["kubernetes.io/metadata.name"] = n
        namespaces[n] = Namespace(n, lab)
    tiers = {t.name: t for t in BUILTIN_TIERS}
    tiers["security"] = Tier("security", 100.0, draw(st.sampled_from(["Deny", "Pass"])))
    tiers["late"] = Tier("late", None, "Deny")
    netsets = ()
    if draw(st.booleans()):
        netsets = (NetworkSet("gns", None, draw(labels(POD_LABELS)), (draw(st.sampled_from(CIDRS)),)),
                   NetworkSet("ns", "x", draw(labels(POD_LABELS)), ("10.2.0.0/16",)))
    return Cluster(namespaces=namespaces, pods=ps, network_policies=draw(network_policies()),
                   calico_policies=draw(calico_policies()),
                   cluster_network_policies=draw(cluster_network_policies()),
                   tiers=tiers, network_sets=netsets, nodes=NODES if draw(st.booleans()) else ())


@st.composite
def port_deciding_clusters(draw) -> Cluster:
    """Clusters whose verdicts hinge on ports: each pod names its ports (http on 80 or 8080, maybe alt
    81 and dns 53/UDP), and policies of all three families select broadly and decide by port —
    named, numbered, ranges, protocols, notPorts. In `clusters()` a named port rarely decides a cell.
    """
    ps = []
    for i in range(draw(st.integers(2, 6))):
        # http is TCP on most pods, 53/UDP on some: a named port without protocol matches each pod's own
        http = draw(st.sampled_from([(80, "TCP"), (8080, "TCP"), (53, "UDP")]))
        ports = [ContainerPort(http[0], http[1], "http")]
        if draw(st.booleans()):
            ports.append(ContainerPort(81, "TCP", "alt"))
        if http[1] != "UDP" and draw(st.booleans()):
            ports.append(ContainerPort(53, "UDP", "dns"))
        ps.append(Pod(f"p{i}", draw(st.sampled_from(NAMESPACES)), draw(labels(POD_LABELS)), tuple(ports),
                      ip=f"10.{i % 3}.{i % 2 + 1}.{i + 2}"))
    namespaces = {n: Namespace(n, {"kubernetes.io/metadata.name": n}) for n in NAMESPACES}
    broad = st.one_of(st.just(LabelSelector()), label_selector(POD_LABELS))
    k8s_port = st.one_of(
        st.builds(PolicyPort, st.sampled_from(["TCP", "UDP"]), st.sampled_from(["http", "alt", "dns"])),
        st.builds(PolicyPort, st.sampled_from(["TCP", "UDP"]), st.sampled_from([80, 81, 53, 8080])),
        st.builds(lambda a: PolicyPort("TCP", a, a + 10), st.sampled_from([75, 8075])),
    )
    k8s_rule = st.builds(Rule, st.one_of(st.just(()), st.lists(k8s_peer(), max_size=1).map(tuple)),
                         st.lists(k8s_port, min_size=1, max_size=2).map(tuple))
    k8s = tuple(
        NetworkPolicy(f"np{i}", draw(st.sampled_from(NAMESPACES)), draw(broad),
                      draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress")])),
                      tuple(draw(st.lists(k8s_rule, min_size=1, max_size=2))),
                      tuple(draw(st.lists(k8s_rule, min_size=1, max_size=2))))
        for i in range(draw(st.integers(0, 2)))
    )
    named_only = st.lists(st.builds(lambda n: PortRange(name=n), st.sampled_from(["http", "dns", "alt"])),
                          min_size=1, max_size=2).map(tuple)
    calico_ports_only = st.one_of(st.builds(
        lambda action, protocol, ports, negate: CalicoRule(
            action, protocol=protocol,
            destination=EntityRule(**({"not_ports": ports} if negate else {"ports": ports}))),
        st.sampled_from(["Allow", "Allow", "Deny", "Pass", "Log"]), st.sampled_from(["TCP", "UDP", 6]),
        st.lists(st.one_of(st.builds(lambda p: PortRange(p, p), st.sampled_from([80, 81, 53, 8080])),
                           st.just(PortRange(75, 85)), st.builds(lambda n: PortRange(name=n),
                                                                 st.sampled_from(["http", "dns", "alt"]))),
                 min_size=1, max_size=2).map(tuple),
        st.booleans()), st.builds(  # no protocol: only named ports are allowed, and they match any protocol
        lambda action, ports, negate: CalicoRule(
            action, destination=EntityRule(**({"not_ports": ports} if negate else {"ports": ports}))),
        st.sampled_from(["Allow", "Deny", "Pass"]), named_only, st.booleans()))
    calico = tuple(
        CalicoPolicy(f"cp{i}", draw(st.sampled_from([None, *NAMESPACES])), tier=draw(st.sampled_from(["default", "security"])),
                     order=draw(st.sampled_from([None, 10.0, 1000.0])), selector=draw(st.sampled_from(["", "all()"])),
                     types=draw(st.sampled_from([("Ingress",), ("Egress",), ("Ingress", "Egress")])),
                     ingress=tuple(draw(st.lists(calico_ports_only, min_size=1, max_size=3))),
                     egress=tuple(draw(st.lists(calico_ports_only, min_size=1, max_size=3))))
        for i in range(draw(st.integers(0, 2)))
    )
    cnp_port = st.one_of(st.builds(lambda n: CNPPort(named_port=n), st.sampled_from(["http", "dns", "alt"])),
                         st.builds(lambda p, r: CNPPort(p, *r), st.sampled_from(["TCP", "UDP"]),
                                   st.sampled_from([(53, 53), (80, 81), (80, 8080), (81, 81)])))
    everyone = (CNPPeer("namespaces", LabelSelector()),)
    cnp_rule = st.builds(CNPRule, st.sampled_from(["Accept", "Deny", "Pass"]), st.just(everyone),
                         st.lists(cnp_port, min_size=1, max_size=2).map(tuple))
    cnps = tuple(
        ClusterNetworkPolicy(f"cnp{i}", draw(st.sampled_from(["Admin", "Baseline"])), 10,
                             CNPSubject(LabelSelector()), tuple(draw(st.lists(cnp_rule, max_size=2))),
                             tuple(draw(st.lists(cnp_rule, max_size=2))))
        for i in range(draw(st.integers(0, 1)))
    )
    tiers = {t.name: t for t in BUILTIN_TIERS}
    tiers["security"] = Tier("security", 100.0, draw(st.sampled_from(["Deny", "Pass"])))
    return Cluster(namespaces=namespaces, pods=tuple(ps), network_policies=k8s, calico_policies=calico,
                   cluster_network_policies=cnps, tiers=tiers)

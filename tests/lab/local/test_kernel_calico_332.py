"""On the kernel: named ports of any protocol, per-family rules and ClusterNetworkPolicy nodes peers.

The same three cases as tests/engine/test_calico_332_and_cnp_nodes.py, enforced by the nftables
the local backend compiles and probed for real: each cell must be what the engine says, and
what Calico v3.32.1 (or kube-network-policies v1.1.1, on the kubernetes dataplane) does.
"""

from __future__ import annotations

import pytest

from npkit.engine import Engine
from npkit.lab.backend import ProbeRequest
from npkit.model import (
    CalicoPolicy,
    CalicoRule,
    ClusterNetworkPolicy,
    CNPPeer,
    CNPRule,
    CNPSubject,
    EntityRule,
    LabelSelector,
    Node,
    NodeAddress,
    PortRange,
)

from .support import pod, requires_netns, scenario

pytestmark = requires_netns

# c names http 80/UDP, d names http 81/TCP; both also serve the other protocol on that port.
C = pod("c", "y", "10.20.0.3", {"app": "c"}, ports=(80,), named={"http": (80, "UDP")})
D = pod("d", "y", "10.20.0.4", {"app": "d"}, ports=(), named={"http": (81, "TCP"), "u81": (81, "UDP")})
A = pod("a", "x", "10.20.0.1", {"app": "a"})


def cells(lab, cluster, dataplane: str, requests: list[tuple[str, str, int, str]]) -> list[tuple[bool, bool]]:
    """(kernel got through, engine allows) for each (src, dst, port, protocol)."""
    lab.dataplane = dataplane
    deployed = lab.deploy(cluster.with_policies(()))
    lab.apply(list(cluster.policies))
    engine = Engine(deployed.with_policies(cluster.policies), dataplane)  # type: ignore[arg-type]
    results = lab.probe([ProbeRequest(*r) for r in requests], 1.0)
    return [(r.connected, engine.allowed(*q)) for r, q in zip(results, requests, strict=True)]


def test_a_named_port_without_protocol_matches_each_pods_own_protocol(lab):
    allow_http = CalicoPolicy("http", None, selector="app in {'c', 'd'}", types=("Ingress",), ingress=(
        CalicoRule("Allow", destination=EntityRule(ports=(PortRange(name="http"),))), CalicoRule("Deny")))
    cluster = scenario(A, C, D).with_policies([allow_http])
    requests = [("x/a", "y/c", 80, "UDP"), ("x/a", "y/c", 80, "TCP"), ("x/a", "y/d", 81, "TCP"),
                ("x/a", "y/d", 81, "UDP")]
    got = cells(lab, cluster, "calico", requests)
    assert got == [(True, True), (False, False), (True, True), (False, False)]


def test_a_rule_with_ipv6_only_not_nets_is_not_rendered_for_ipv4(lab):
    deny = CalicoPolicy("not-v6", None, selector="all()", types=("Egress",), egress=(
        CalicoRule("Deny", destination=EntityRule(not_nets=("fd00::/8",))), CalicoRule("Allow")))
    cluster = scenario(A, C).with_policies([deny])
    got = cells(lab, cluster, "calico", [("x/a", "y/c", 80, "TCP")])
    assert got == [(True, True)]  # before Calico 3.32's per-family reading, npkit denied this
    rules = lab.rules("x/a")
    assert "not-v6 spec.egress[1]: Allow" in rules and "not-v6 spec.egress[0]" not in rules  # like Felix: left out


@pytest.mark.parametrize("dataplane, pods_reachable", [("kubernetes", True), ("calico", False)])
def test_a_nodes_peer_deny_matches_node_addresses_or_fails_closed(lab, dataplane, pods_reachable):
    deny_nodes = ClusterNetworkPolicy("deny-nodes", "Admin", 10, CNPSubject(LabelSelector()), egress=(
        CNPRule("Deny", (CNPPeer("nodes"),)),))
    node = Node("worker", addresses=(NodeAddress("InternalIP", "10.20.9.9"),))
    cluster = scenario(A, C).with_policies([deny_nodes])
    cluster = type(cluster)(**{**cluster.__dict__, "nodes": (node,)})
    got = cells(lab, cluster, dataplane, [("x/a", "y/c", 80, "TCP"), ("y/c", "x/a", 80, "TCP")])
    assert got == [(pods_reachable, pods_reachable)] * 2

"""The address sets the nftables compiler builds hold exactly the endpoints the engine matches.

A rule peer becomes a set of addresses: the IPs of the pods in the peer's `mask`, plus its
`address_blocks` (ipBlock CIDRs minus excepts, network-set nets, everything). Pods are
probed by the differential test; this property covers addresses outside the cluster too,
which no probe reaches.
"""

import ipaddress

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npkit.engine import Endpoint, Engine
from npkit.engine.matchers.peers import PeerCriterion
from tests.strategies import CIDRS, clusters

# Addresses at and around every CIDR edge the strategies use, plus some far away.
EDGES = sorted({str(a) for c in CIDRS for n in [ipaddress.ip_network(c)]
                for a in (n.network_address, n.broadcast_address, n.network_address - 1, n.broadcast_address + 1)}
               | {"8.8.8.8", "10.2.0.7", "10.1.1.200", "172.16.0.1"})


def set_members(criterion: PeerCriterion, engine: Engine) -> list:
    u = engine.universe
    nets = []
    for s in criterion.sets:
        nets += [ipaddress.ip_network(u.pods[i].ip) for i, hit in enumerate(s.mask(u)) if hit]
        nets += [ipaddress.ip_network(c) for c in s.address_blocks(u)]
    return nets


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters(), st.lists(st.sampled_from(EDGES), min_size=3, max_size=8, unique=True))
def test_address_sets_match_what_the_engine_matches(cluster, outside):
    engine = Engine(cluster)
    u = engine.universe
    pods_by_ip = {p.ip for p in u.pods}
    endpoints = [u.pod_endpoint(i) for i in range(u.size)]
    endpoints += [Endpoint(ip, ip) for ip in outside if ip not in pods_by_ip]
    for policy in engine.program.policies:
        for rule in policy.ingress + policy.egress:
            for c in rule.criteria:
                if not isinstance(c, PeerCriterion):
                    continue
                nets = set_members(c, engine)
                for ep in endpoints:
                    in_set = any(ipaddress.ip_address(ep.ip) in n for n in nets if n.version == 4)
                    engine_says = any(s.check(ep, u)[0] for s in c.sets)
                    assert in_set == engine_says, (str(policy.ref), rule.path, c.describe(), ep.key)

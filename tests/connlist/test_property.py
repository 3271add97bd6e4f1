"""connlist's connection set for a pair is exactly what per-port verdicts say, for every protocol.

For random clusters of all three policy families (and Calico rules with notPorts, ICMP and
notProtocol, which the shared strategies do not draw), every listed pair — pods, and the address
ranges the policies cut out — is checked against `Engine.verdict` at every class boundary, inside
every class, at fixed ports around the ones the strategies name, for TCP, UDP and SCTP, for ICMP
types and for a protocol no rule names. The verdicts come from an engine without connlist's
stand-ins for outside addresses: real addresses of each range are probed.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npkit.connlist import connlist
from npkit.engine import Engine
from npkit.model import CalicoRule, EntityRule, ICMPMatch, PortRange
from tests.connlist.conntext import allows
from tests.strategies import clusters, port_deciding_clusters

FIXED_PORTS = (1, 52, 53, 54, 74, 75, 79, 80, 81, 82, 85, 86, 8079, 8080, 8081, 65535)
ICMP_TYPES = (0, 3, 8, 255)


@st.composite
def calico_extras(draw, cluster):
    """Calico rules with notPorts, ICMP matches and notProtocol added to the cluster's policies."""
    if not cluster.calico_policies:
        return cluster
    extra = CalicoRule(
        draw(st.sampled_from(["Allow", "Deny"])),
        protocol=draw(st.sampled_from(["TCP", "UDP", "ICMP", None])),
        not_protocol=draw(st.sampled_from([None, "SCTP"])),
        destination=EntityRule(not_ports=(PortRange(80, 81),)) if draw(st.booleans()) else EntityRule(),
    )
    if extra.protocol == "ICMP":
        extra = replace(extra, icmp=ICMPMatch(8, draw(st.sampled_from([None, 0]))), destination=EntityRule())
    elif extra.protocol is None:
        extra = replace(extra, destination=EntityRule())  # ports need a protocol
    first = cluster.calico_policies[0]
    changed = replace(first, ingress=(extra, *first.ingress), egress=(*first.egress, extra))
    return replace(cluster, calico_policies=(changed, *cluster.calico_policies[1:]))


def _addresses(name: str, pod_ips: set[str]) -> list[str]:
    """A few addresses of an `a-b[External]` range that no pod has: both ends and the middle."""
    ends = [ipaddress.ip_address(x) for x in name.removesuffix("[External]").split("-")]
    first, last = int(ends[0]), int(ends[1])
    picks = [first, (first + last) // 2, last]
    make = type(ends[0])  # the range's own family: ip_address(0) alone would be 0.0.0.0, not ::
    return [str(make(a)) for a in dict.fromkeys(picks) if str(make(a)) not in pod_ips]


def _samples(cl) -> list[tuple[str, int | None, int | None]]:
    """(protocol, port, ICMP type): boundaries and middles of every class, and fixed points around them."""
    out = set()
    for c in cl.classes:
        if c.ported:
            out.update((c.protocol, p, None) for p in (c.first, c.last, (c.first + c.last) // 2))
    for protocol in ("TCP", "UDP", "SCTP"):
        out.update((protocol, p, None) for p in FIXED_PORTS)
    out.update(("ICMP", None, t) for t in ICMP_TYPES)
    named = {c.traffic.protocol for c in cl.classes if not c.ported}
    unnamed = [str(n) for n in range(2, 256) if str(n) not in named and n not in (6, 17, 58, 132)][:2]
    out.update((p, None, None) for p in unnamed)  # two protocols no rule names: both must agree
    return sorted(out, key=str)


def _endpoints(entity, pod_ips):
    if entity.external:
        return _addresses(entity.name, pod_ips)
    return [entity.name.removesuffix("[Pod]")]


def _check(cluster, dataplane):
    engine = Engine(cluster, dataplane)
    cl = connlist(engine)
    listed = {(s.name, d.name): text for s, d, text in cl.pairs()}
    pod_ips = {p.ip for p in cluster.pods}
    samples = _samples(cl)
    for src in cl.sources:
        for dst in cl.destinations:
            if src.name == dst.name or (src.external and dst.external):
                continue
            text = listed.get((src.name, dst.name), "No Connections")
            for s_ep in _endpoints(src, pod_ips):
                for d_ep in _endpoints(dst, pod_ips):
                    for protocol, port, icmp_type in samples:
                        traffic = {"icmp_type": icmp_type, "icmp_code": 0} if icmp_type is not None else {}
                        verdict = engine.verdict(s_ep, d_ep, port, protocol, **traffic)
                        said = allows(text, protocol, port, icmp_type, cl)
                        assert said == verdict.allowed, (dataplane, src.name, dst.name, s_ep, d_ep, protocol, port,
                                                         icmp_type, text, verdict.summary)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(clusters().flatmap(calico_extras))
def test_connlist_equals_verdicts_on_random_clusters(cluster):
    for dataplane in ("calico", "kubernetes"):
        _check(cluster, dataplane)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(port_deciding_clusters())
def test_connlist_equals_verdicts_where_ports_decide(cluster):
    for dataplane in ("calico", "kubernetes"):
        _check(cluster, dataplane)


def test_an_ipv6_range_is_sampled_with_ipv6_addresses():
    # A range starting at :: once gave 0.0.0.0 as its first sample: the IPv4 probe then disagreed with the
    # IPv6 range's (right) connections, for a rule whose notNets was IPv6 only.
    assert _addresses("::-fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff[External]", set()) == [
        "::", "7e7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "fcff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"]

"""The nftables a learner reads: Felix's layout, comments naming policy and rule, sets of addresses.

Pure text tests (no root needed): what the kernel does with the text is test_backend.py's
and test_differential.py's business.
"""

import re

import pytest

from npkit.engine import Engine
from npkit.lab.backend import LabError
from npkit.lab.backends.local.nft import compile_ruleset
from npkit.model import (
    CalicoPolicy,
    CalicoRule,
    EntityRule,
    HTTPMatch,
    IPBlock,
    LabelSelector,
    NetworkPolicy,
    Peer,
    PolicyPort,
    PortRange,
    Rule,
    Tier,
)

from .support import pod, scenario

WEB = pod("web", "x", "10.0.0.1", {"app": "web"}, named={"http": (8080, "TCP")})
API = pod("api", "x", "10.0.0.2", {"app": "api"}, named={"http": (9090, "TCP")})
FRONT = pod("front", "y", "10.0.1.1", {"app": "front"})
HOST = pod("host", "y", "10.0.1.9")
SECURITY = Tier("security", 100.0, "Deny")
EDGE = Tier("edge", 50.0, "Pass")


def ruleset(*policies, pods=(WEB, API, FRONT), tiers=(SECURITY, EDGE), dataplane="calico"):
    cluster = scenario(*pods, tiers=tiers).with_policies(policies)
    ifaces = {p.key: f"npk{p.name}" for p in pods}
    return compile_ruleset(Engine(cluster, dataplane), ifaces)


def chain(text: str, name: str) -> list[str]:
    """The rules of one chain, without indentation."""
    m = re.search(rf"\tchain {re.escape(name)} {{\n(.*?)\n\t}}", text, re.S)
    assert m, f"no chain {name} in\n{text}"
    return [line.strip() for line in m.group(1).splitlines()]


def set_elements(text: str, name: str) -> str:
    m = re.search(rf"\tset {re.escape(name)} {{\n(.*?)\n\t}}", text, re.S)
    assert m, f"no set {name}"
    found = re.search(r"elements = \{ (.*) \}", m.group(1))
    return found.group(1) if found else ""


ALLOW_FRONT = NetworkPolicy("allow-front", "x", LabelSelector.of({"app": "web"}), ("Ingress",),
                            ingress=(Rule((Peer(namespace_selector=LabelSelector.of(
                                {"kubernetes.io/metadata.name": "y"})),), (PolicyPort("TCP", 80),)),))


def test_a_kubernetes_policy_becomes_a_tier_default_pipeline_with_an_end_of_tier_drop():
    rs = ruleset(ALLOW_FRONT)
    tw = chain(rs.text, "tw-npkweb")
    assert any("Start of tier default" in r for r in tw)
    jump = next(r for r in tw if "jump" in r)
    assert "jump pi-knp/x/allow-front" in jump and "meta mark & 0x00020000 == 0x00000000" in jump
    assert 'comment "NetworkPolicy x/allow-front (order 1000)"' in jump
    assert 'comment "Return if policy accepted"' in tw[tw.index(jump) + 1]
    assert "drop" in tw[tw.index(jump) + 2] and "End of tier default. Drop if no policies passed packet" in tw[-2]
    assert "Profile kns.x" in tw[-1]
    rule = chain(rs.text, "pi-knp/x/allow-front")[1]
    assert rule.startswith("ip saddr @knp/x/allow-front/in0.from tcp dport 80 counter")
    assert "meta mark set meta mark | 0x00010000 return" in rule
    assert rule.endswith('comment "NetworkPolicy x/allow-front spec.ingress[0]: Allow"')
    assert set_elements(rs.text, "knp/x/allow-front/in0.from") == "10.0.1.1"


def test_a_pod_no_policy_selects_only_has_its_profile():
    rs = ruleset(ALLOW_FRONT)
    fw = chain(rs.text, "fw-npkfront")
    assert not any("jump" in r or "drop" in r for r in fw)
    assert "Profile kns.y: no tier decided, allow" in fw[-1]
    assert rs.pod_chains["y/front"] == ("fw-npkfront", "tw-npkfront")


def test_tiers_in_order_and_a_pass_tier_has_no_end_of_tier_drop():
    block = CalicoPolicy("block", None, tier="security", order=10, selector="app == 'web'", types=("Ingress",),
                         ingress=(CalicoRule("Deny", source=EntityRule(nets=("10.0.1.0/24",))), CalicoRule("Pass")))
    edge = CalicoPolicy("edge", None, tier="edge", order=1, selector="all()", types=("Ingress",),
                        ingress=(CalicoRule("Log"),))
    tw = chain(ruleset(block, edge, ALLOW_FRONT).text, "tw-npkweb")
    starts = [r for r in tw if "Start of tier" in r]
    assert [re.search(r"Start of tier (\w+)", r).group(1) for r in starts] == ["edge", "security", "default"]
    assert not any("End of tier edge" in r for r in tw)
    assert any("End of tier security" in r for r in tw)
    rules = chain(ruleset(block, edge).text, "pi-gnp/block")
    assert rules[1].startswith("ip saddr @gnp/block/in0.source.nets counter drop")
    assert rules[2].startswith("counter meta mark set meta mark | 0x00020000 return")
    assert 'GlobalNetworkPolicy block spec.ingress[1]: Pass' in rules[2]


def test_log_rules_log_to_nflog_and_go_on():
    edge = CalicoPolicy("audit", "x", tier="edge", order=1, selector="all()", types=("Ingress",),
                        ingress=(CalicoRule("Log", protocol="TCP"),))
    rs = ruleset(edge)
    rule = chain(rs.text, "pi-np/x/audit")[1]
    assert rule.startswith('meta l4proto tcp counter log prefix "calico-packet: np/x/audit in0: " group 1')
    assert "return" not in rule and "drop" not in rule
    assert rs.log_prefixes == {"calico-packet: np/x/audit in0: ": "Calico NetworkPolicy x/audit spec.ingress[0]"}


def test_ip_blocks_become_interval_sets_with_the_excepts_cut_out():
    policy = NetworkPolicy("ext", "x", LabelSelector(), ("Egress",), egress=(
        Rule((Peer(ip_block=IPBlock("10.0.0.0/8", ("10.0.0.0/16", "10.128.0.0/9"))),
              Peer(ip_block=IPBlock("10.0.0.0/24")),)),))
    elements = set_elements(ruleset(policy).text, "knp/x/ext/out0.to")
    # 10.0.0.0/24 stays (second peer); 10.1.0.0-10.127.255.255 from the first; nothing overlaps
    assert elements == "10.0.0.0/24, 10.1.0.0/16, 10.2.0.0/15, 10.4.0.0/14, 10.8.0.0/13, 10.16.0.0/12, " \
                       "10.32.0.0/11, 10.64.0.0/10"


def test_named_ports_resolve_per_destination_pod():
    policy = NetworkPolicy("http", "x", LabelSelector(), ("Ingress",),
                           ingress=(Rule((), (PolicyPort("TCP", "http"), PolicyPort("UDP", 53))),))
    rs = ruleset(policy)
    rule = chain(rs.text, "pi-knp/x/http")[1]
    assert rule.startswith("ip daddr . meta l4proto . th dport @knp/x/http/in0.ports counter")
    assert set_elements(rs.text, "knp/x/http/in0.ports") == \
        "0.0.0.0/0 . udp . 53, 10.0.0.1 . tcp . 8080, 10.0.0.2 . tcp . 9090"


def test_negations_are_inverted_matches():
    policy = CalicoPolicy("neg", "x", order=1, selector="all()", types=("Egress",), egress=(CalicoRule(
        "Allow", protocol="TCP", not_protocol="UDP",
        destination=EntityRule(not_nets=("10.0.1.0/24",), not_ports=(PortRange(80, 81), PortRange(53, 53)))),))
    rule = chain(ruleset(policy).text, "po-np/x/neg")[1]
    assert "meta l4proto tcp meta l4proto != udp" in rule
    assert "ip daddr != @np/x/neg/out0.destination.notNets" in rule
    assert "meta l4proto . th dport != { sctp . 53, sctp . 80-81, tcp . 53, tcp . 80-81, udp . 53, udp . 80-81 }" in rule


def test_http_matches_are_l4_like_felix_and_l7_is_refused():
    policy = CalicoPolicy("http", "x", order=1, selector="all()", types=("Ingress",), ingress=(CalicoRule(
        "Allow", protocol="TCP", http=HTTPMatch(methods=("GET",))),))
    rule = chain(ruleset(policy).text, "pi-np/x/http")[1]
    assert rule.startswith("meta l4proto tcp counter") and "http ignored: L4 only, like Felix" in rule
    cluster = scenario(WEB).with_policies([policy])
    with pytest.raises(LabError, match="L4 only"):
        compile_ruleset(Engine(cluster, "calico", l7=True), {"x/web": "npkweb"})


def test_host_network_pods_get_no_chains():
    host = pod("host", "y", "10.0.1.9")
    from dataclasses import replace

    host = replace(host, host_network=True)
    rs = ruleset(ALLOW_FRONT, pods=(WEB, host))
    assert "y/host" not in rs.pod_chains and "npkhost" not in rs.text


def test_the_kubernetes_dataplane_leaves_calico_policies_out():
    calico = CalicoPolicy("deny", "x", order=1, selector="all()", types=("Ingress",), ingress=(CalicoRule("Deny"),))
    rs = ruleset(calico, ALLOW_FRONT, dataplane="kubernetes")
    assert "pi-np/x/deny" not in rs.text and "pi-knp/x/allow-front" in rs.text
    assert "No tier decided: not isolated, Kubernetes allows" in rs.text


def test_policies_of_different_kinds_with_one_name_get_chains_of_their_own():
    from npkit.model import ClusterNetworkPolicy, CNPPeer, CNPRule, CNPSubject

    subject = CNPSubject(LabelSelector())
    deny = CNPRule("Deny", (CNPPeer("namespaces", LabelSelector()),))
    legacy = ClusterNetworkPolicy("guard", "Admin", 1, subject, ingress=(deny,), legacy_kind="AdminNetworkPolicy")
    new = ClusterNetworkPolicy("guard", "Baseline", 1, subject, ingress=(deny,))
    text = ruleset(legacy, new).text
    assert "chain pi-cnp/guard {" in text and "chain pi-cnp/guard.2 {" in text
    assert 'comment "AdminNetworkPolicy guard ingress"' in text and 'comment "ClusterNetworkPolicy guard ingress"' in text

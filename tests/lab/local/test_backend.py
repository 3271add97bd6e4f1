"""The local backend as a learner meets it: real pods, real probes, rules and logs to read."""

import socket
from dataclasses import replace

import numpy as np
import pytest

from npkit.engine import Engine
from npkit.lab.backend import LabError, ProbeRequest
from npkit.lab.backends.local import LocalBackend
from npkit.lab.backends.local.system import run
from npkit.lab.compare import observed_allowed
from npkit.lab.config import LocalConfig
from npkit.model import (
    CalicoPolicy,
    CalicoRule,
    ContainerPort,
    EntityRule,
    LabelSelector,
    NetworkPolicy,
    Peer,
    PolicyPort,
    Rule,
    Tier,
)

from .support import pod, requires_netns, scenario

pytestmark = requires_netns

WEB = pod("web", "x", "10.10.0.1", {"app": "web"}, named={"dns": (53, "UDP")})
CLIENT = pod("client", "x", "10.10.0.2", {"app": "client"})
OTHER = pod("other", "y", "10.10.1.1", {"app": "other"})
DENY_ALL_WEB = NetworkPolicy("deny-web", "x", LabelSelector.of({"app": "web"}), ("Ingress",))


def outcomes(lab, pairs, port=80, protocol="TCP", timeout=0.5):
    results = lab.probe([ProbeRequest(s, d, port, protocol) for s, d in pairs], timeout)
    return [r.outcome for r in results]


def observed(lab, engine: Engine, port: int, protocol="TCP") -> np.ndarray:
    """Got through policy: connected, or refused by a pod that does not serve the port (compare.py)."""
    keys = engine.pods
    results = lab.probe([ProbeRequest(s, d, port, protocol) for s in keys for d in keys], 0.5)
    got_through = [observed_allowed(r, engine.cluster) for r in results]
    return np.array(got_through).reshape(len(keys), len(keys))


def test_probes_tell_connected_refused_and_timeout_apart(lab):
    lab.deploy(scenario(WEB, CLIENT))
    assert outcomes(lab, [("x/client", "x/web")], 80) == ["CONNECTED"]
    assert outcomes(lab, [("x/client", "x/web")], 81) == ["REFUSED"]  # nothing listens: a reset
    assert outcomes(lab, [("x/client", "x/web")], 53, "UDP") == ["CONNECTED"]  # the server answered
    assert outcomes(lab, [("x/web", "x/client")], 53, "UDP") == ["REFUSED"]  # ICMP port unreachable
    lab.apply([DENY_ALL_WEB])
    assert outcomes(lab, [("x/client", "x/web")] * 2, 80) == ["TIMEOUT", "TIMEOUT"]  # a drop
    assert outcomes(lab, [("x/client", "x/web")], 53, "UDP") == ["TIMEOUT"]
    assert outcomes(lab, [("x/web", "x/client")], 80) == ["CONNECTED"]  # egress of web is not isolated


def test_deploy_returns_the_pods_with_addresses_and_assigns_missing_ones(lab):
    deployed = lab.deploy(scenario(WEB, replace(CLIENT, ip="")))
    ips = {p.key: p.ip for p in deployed.pods}
    assert ips["x/web"] == "10.10.0.1" and ips["x/client"].startswith("10.244.")
    inside = run(["ip", "-n", lab.state.pods["x/client"].netns, "-4", "addr", "show", "eth0"]).stdout
    assert f"inet {ips['x/client']}/32" in inside
    assert outcomes(lab, [("x/web", "x/client")], 80) == ["CONNECTED"]


def test_policy_changes_hold_for_the_next_connection_and_delete_undoes_them(lab):
    lab.deploy(scenario(WEB, CLIENT))
    lab.apply([DENY_ALL_WEB])
    assert outcomes(lab, [("x/client", "x/web")]) == ["TIMEOUT"]
    allow = NetworkPolicy("allow-client", "x", LabelSelector.of({"app": "web"}), ("Ingress",),
                          ingress=(Rule((Peer(pod_selector=LabelSelector.of({"app": "client"})),)),))
    lab.apply([allow])
    assert outcomes(lab, [("x/client", "x/web")]) == ["CONNECTED"]
    lab.delete([allow, DENY_ALL_WEB])
    assert lab.policies == {} and outcomes(lab, [("x/client", "x/web")]) == ["CONNECTED"]


def test_a_pod_reaches_itself_even_when_isolated_both_ways(lab):
    lab.deploy(scenario(WEB, CLIENT))
    both = NetworkPolicy("isolate", "x", LabelSelector(), ("Ingress", "Egress"))
    lab.apply([both])
    assert outcomes(lab, [("x/web", "x/web"), ("x/web", "x/client")]) == ["CONNECTED", "TIMEOUT"]


def test_calico_tiers_pass_deny_and_named_ports_agree_with_the_engine(lab):
    security = Tier("security", 100.0, "Deny")
    shop = scenario(WEB, CLIENT, OTHER, pod("db", "y", "10.10.1.2", {"app": "db"}, ports=(80, 5432)),
                    tiers=(security,))
    block = CalicoPolicy("block-other", None, tier="security", order=10, selector="all()",
                         types=("Ingress",), ingress=(
                             CalicoRule("Deny", source=EntityRule(selector="app == 'other'")),
                             CalicoRule("Pass", source=EntityRule(selector="app == 'client'")),
                         ))
    dns = NetworkPolicy("dns-only", "x", LabelSelector.of({"app": "web"}), ("Ingress",),
                        ingress=(Rule((), (PolicyPort("UDP", "dns"),)),))
    deployed = lab.deploy(shop)
    lab.apply_tiers([security])
    lab.apply([block, dns])
    engine = Engine(deployed.with_policies([block, dns]))
    for port, protocol in ((80, "TCP"), (53, "UDP")):
        expected = engine.reachability(port, protocol)
        np.testing.assert_array_equal(observed(lab, engine, port, protocol), expected)
    assert not engine.reachability(80)[engine.pods.index("x/client"), engine.pods.index("x/web")]  # really denies


def test_rules_show_the_pods_chains_with_policy_comments_and_sets(lab):
    lab.deploy(scenario(WEB, CLIENT, OTHER))
    lab.apply([NetworkPolicy("allow-client", "x", LabelSelector.of({"app": "web"}), ("Ingress",),
                             ingress=(Rule((Peer(pod_selector=LabelSelector.of({"app": "client"})),)),))])
    outcomes(lab, [("y/other", "x/web")])
    text = lab.rules("x/web")
    iface = lab.state.pods["x/web"].iface
    assert text.startswith("# How to read this")
    assert f"chain fw-{iface}" in text and f"chain tw-{iface}" in text and "chain pi-knp/x/allow-client" in text
    assert 'comment "NetworkPolicy x/allow-client spec.ingress[0]: Allow"' in text
    assert "set knp/x/allow-client/in0.from" in text and "elements = { 10.10.0.2 }" in text
    assert "chain fw-" + lab.state.pods["x/client"].iface not in text  # only this pod's chains
    end_of_tier = next(line for line in text.splitlines() if "End of tier default" in line)
    assert "counter packets 1 " in end_of_tier  # the probe from y/other was dropped right there
    with pytest.raises(LabError, match=r"pod x/nope is not deployed .* \(pods: x/client, x/web, y/other\)"):
        lab.rules("x/nope")
    assert LocalBackend(LocalConfig(lab.lab_id)).rules("x/web").count("chain ") == text.count("chain ")  # from another process


def test_log_rules_report_which_rule_saw_which_packet(lab):
    lab.deploy(scenario(WEB, CLIENT, OTHER))
    log = CalicoPolicy("log-other", "x", order=1, selector="app == 'web'", types=("Ingress",), ingress=(
        CalicoRule("Log", source=EntityRule(selector="app == 'other'", namespace_selector="all()")),
        CalicoRule("Deny", source=EntityRule(selector="app == 'other'", namespace_selector="all()")),
        CalicoRule("Allow"),
    ))
    assert "no applied policy has a Log rule" in lab.logs()
    lab.apply([log])
    assert outcomes(lab, [("y/other", "x/web"), ("x/client", "x/web")]) == ["TIMEOUT", "CONNECTED"]
    lines = lab.logs().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("calico-packet: np/x/log-other in0: SRC=10.10.1.1 DST=10.10.0.1 PROTO=TCP")
    assert "DPT=80" in lines[0] and "(y/other → x/web; Calico NetworkPolicy x/log-other spec.ingress[0])" in lines[0]


def test_host_network_pods_are_not_enforced(lab):
    host = replace(pod("node-agent", "y", "10.10.1.5"), host_network=True)
    lab.deploy(scenario(WEB, host))
    lab.apply([NetworkPolicy("isolate", "y", LabelSelector(), ("Ingress", "Egress"))])
    assert outcomes(lab, [("x/web", "y/node-agent"), ("y/node-agent", "x/web")]) == ["CONNECTED", "CONNECTED"]


def test_sctp_ports_are_served_where_the_kernel_has_sctp_and_reported_otherwise(lab, caplog):
    sctp = replace(pod("sig", "x", "10.10.0.7"), ports=(ContainerPort(80), ContainerPort(3868, "SCTP")))
    lab.deploy(scenario(sctp, CLIENT))
    result = lab.probe([ProbeRequest("x/client", "x/sig", 3868, "SCTP")], 0.5)[0]
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
    except OSError:
        assert result.outcome == "ERROR" and "SCTP" in result.detail
        assert "x/sig: cannot serve SCTP/3868" in caplog.text  # a note to the npkit.lab.local logger
    else:
        assert result.outcome == "CONNECTED"


def test_bad_scenarios_are_refused_before_anything_is_created(lab):
    before = set(run(["ip", "netns", "list"]).stdout.split())
    with pytest.raises(LabError, match="x/web has the IPv6 address fd00::1"):
        lab.deploy(scenario(replace(WEB, ip="fd00::1")))
    with pytest.raises(LabError, match="both have the address 10.10.0.1"):
        lab.deploy(scenario(WEB, replace(CLIENT, ip="10.10.0.1")))
    assert set(run(["ip", "netns", "list"]).stdout.split()) == before


def test_the_hosts_own_namespace_is_never_touched(lab):
    def host_view():
        return [run(cmd).stdout for cmd in (["ip", "-o", "link"], ["ip", "route"], ["nft", "list", "ruleset"])]

    before = host_view()
    lab.deploy(scenario(WEB, CLIENT))
    lab.apply([DENY_ALL_WEB])
    outcomes(lab, [("x/client", "x/web")])
    assert host_view() == before


def test_probing_an_unknown_pod_or_port_less_protocol_is_an_error_cell(lab):
    lab.deploy(scenario(WEB))
    unknown, icmp = lab.probe([ProbeRequest("x/web", "x/ghost", 80), ProbeRequest("x/web", "x/web", None, "ICMP")])
    assert unknown.outcome == "ERROR" and "x/ghost is not deployed" in unknown.detail
    assert icmp.outcome == "ERROR" and "TCP, UDP and SCTP" in icmp.detail

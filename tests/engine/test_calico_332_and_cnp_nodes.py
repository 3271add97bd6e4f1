"""Three places where Calico v3.32.1 and the ClusterNetworkPolicy implementations decide, checked cell by cell.

1. A Calico named port in a rule without `protocol` matches any protocol, each pod's own
   (felix/calc/rule_scanner.go ruleToParsedRule: ipsetmember.ProtocolAny).
2. Felix renders each rule per IP family and leaves a rule out of a family its nets / notNets
   have no CIDR of (felix/rules/policy.go FilterRuleToIPVersion); selectors reach network sets
   through per-family IP sets, which is plain address membership.
3. A ClusterNetworkPolicy `nodes` peer: kube-network-policies v1.1.1 matches the InternalIP /
   ExternalIP of the selected Nodes; Calico v3.32.1 does not implement it and fails closed on
   the whole rule (libcalico-go .../conversion/clusternetworkpolicy.go).

Every verdict is also checked against the vectorised matrix, which must agree.
"""

from __future__ import annotations

import numpy as np
import pytest

from npkit.engine import Engine
from npkit.explain import render_verdict
from npkit.loading import load_string
from npkit.model import CalicoPolicy, CalicoRule, Cluster, EntityRule, Pod

PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: c, namespace: "y", labels: {app: c}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80, protocol: UDP, name: http}]}]}
status: {podIP: 10.0.0.3}
---
apiVersion: v1
kind: Pod
metadata: {name: d, namespace: "y", labels: {app: d}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 81, name: http}]}]}
status: {podIP: 10.0.0.4}
---
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1}
"""


def gnp(body: str, name: str = "p") -> str:
    return f"---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {{name: {name}}}\nspec:\n{body}"


def agrees_with_matrix(e: Engine, port: int, protocol: str) -> None:
    """Every cell of the matrix equals the explained verdict."""
    m = e.reachability(port, protocol)
    expected = np.array([[e.allowed(s, d, port, protocol) for d in e.pods] for s in e.pods])
    assert (m == expected).all()


# -- 1. named ports without protocol ---------------------------------------------------------------
NAMED = PODS + gnp("  selector: app in {'c', 'd'}\n  ingress:\n  - action: Allow\n%s    destination: {ports: [http]}\n"
                   "  - action: Deny\n")


@pytest.mark.parametrize("port, protocol, dst, expected", [
    (80, "UDP", "y/c", True),    # c names 80/UDP http
    (80, "TCP", "y/c", False),   # ... not 80/TCP
    (81, "TCP", "y/d", True),    # d names 81/TCP http
    (81, "UDP", "y/d", False),
    (80, "TCP", "y/d", False),
])
def test_a_named_port_without_protocol_matches_each_pods_own_protocol(port, protocol, dst, expected):
    e = Engine(load_string(NAMED % ""))
    assert e.allowed("x/a", dst, port, protocol) is expected
    agrees_with_matrix(e, port, protocol)


def test_the_explanation_says_the_name_resolved_and_that_any_protocol_matches():
    v = Engine(load_string(NAMED % "")).verdict("x/a", "y/c", 80, "UDP")
    text = render_verdict(v)
    assert "named port http (any protocol) resolves to UDP/80 on y/c; the rule has no protocol, so any " \
           "protocol matches" in text


@pytest.mark.parametrize("protocol, udp_to_c, tcp_to_d", [("TCP", False, True), ("UDP", True, False)])
def test_a_rule_protocol_limits_the_named_port_to_it(protocol, udp_to_c, tcp_to_d):
    e = Engine(load_string(NAMED % f"    protocol: {protocol}\n"))
    assert e.allowed("x/a", "y/c", 80, "UDP") is udp_to_c
    assert e.allowed("x/a", "y/d", 81, "TCP") is tcp_to_d
    agrees_with_matrix(e, 80, "UDP")


def test_kubernetes_named_ports_keep_their_protocol_default_tcp():
    np_ = ("---\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: np, namespace: \"y\"}\n"
           "spec:\n  podSelector: {}\n  ingress: [{ports: [{port: http}]}]\n")
    e = Engine(load_string(PODS + np_))
    assert not e.allowed("x/a", "y/c", 80, "UDP") and e.allowed("x/a", "y/d", 81, "TCP")


# -- 2. per-family rules ---------------------------------------------------------------------------
V6_PODS = """\
apiVersion: v1
kind: Pod
metadata: {name: v4, namespace: x, labels: {app: v4}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: v6, namespace: x, labels: {app: v6}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: "fd00::1"}
---
apiVersion: v1
kind: Pod
metadata: {name: w6, namespace: x, labels: {app: w6}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: "fd00::2"}
"""
DENY_NOT_NETS = gnp("  selector: all()\n  types: [Egress]\n  egress:\n"
                    "  - action: Deny\n    destination: {notNets: [10.0.0.0/8]}\n  - action: Allow\n")


def test_an_ipv4_only_not_nets_rule_does_not_exist_for_ipv6_traffic():
    e = Engine(load_string(V6_PODS + DENY_NOT_NETS))
    assert not e.allowed("x/v4", "8.8.8.8", 80)  # IPv4 outside 10/8: denied
    assert e.allowed("x/v4", "10.1.2.3", 80)  # IPv4 inside 10/8: not denied
    assert e.allowed("x/v6", "2001:db8::1", 80)  # IPv6: the rule is not rendered at all
    assert e.allowed("x/v6", "x/w6", 80)
    agrees_with_matrix(e, 80, "TCP")


def test_the_explanation_says_the_rule_does_not_exist_for_the_family():
    v = Engine(load_string(V6_PODS + DENY_NOT_NETS)).verdict("x/v6", "2001:db8::1", 80)
    rule = v.egress.tiers[0].policies[0].rules[0]
    assert not rule.matched
    assert ("spec.egress[0].destination.notNets names IPv4 CIDRs only: Felix renders this rule for IPv4 traffic "
            "only, so for this IPv6 probe the rule does not exist") in render_verdict(v)


@pytest.mark.parametrize("field", ["nets", "notNets"])
@pytest.mark.parametrize("end", ["source", "destination"])
def test_every_address_field_limits_the_rule_to_its_family(field, end):
    rules = f"[{{action: Deny, {end}: {{{field}: [fd00::/8]}}}}, {{action: Allow}}]"
    body = f"  selector: all()\n  types: [Ingress, Egress]\n  ingress: {rules}\n  egress: {rules}\n"
    e = Engine(load_string(V6_PODS + gnp(body)))
    # IPv4 traffic: the IPv6-only rule does not exist, so nothing is denied
    assert e.allowed("x/v4", "10.9.9.9", 80) and e.allowed("10.9.9.9", "x/v4", 80)
    # IPv6 traffic inside fd00::/8: nets matches, notNets excludes
    assert e.allowed("x/v6", "x/w6", 80) is (field == "notNets")
    agrees_with_matrix(e, 80, "TCP")


def test_ip_version_and_nets_of_the_same_family_say_it_once():
    e = Engine(load_string(V6_PODS + gnp("  selector: all()\n  types: [Egress]\n  egress:\n  - action: Deny\n"
                                         "    ipVersion: 4\n    destination: {notNets: [10.0.0.0/8]}\n")))
    [rule] = e.program.policies[0].egress
    assert [type(c).__name__ for c in rule.criteria].count("IPVersionIs") == 1


def test_a_rule_whose_address_fields_share_no_family_never_matches():
    rule = CalicoRule("Deny", source=EntityRule(nets=("10.0.0.0/8",)), destination=EntityRule(not_nets=("fd00::/8",)))
    pods = (Pod("v4", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))
    policy = CalicoPolicy("p", None, selector="all()", types=("Egress",), egress=(rule, CalicoRule("Allow")))
    e = Engine(Cluster(pods=pods, calico_policies=(policy,)))
    assert e.allowed("x/v4", "x/b", 80)
    assert "neither IPv4 nor IPv6" in render_verdict(e.verdict("x/v4", "x/b", 80))


def test_selectors_reach_network_sets_per_family_which_is_address_membership():
    netset = ("---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkSet\nmetadata: {name: v4, labels: {kind: v4}}\n"
              "spec: {nets: [10.0.0.0/8]}\n")
    deny = gnp("  selector: all()\n  types: [Egress]\n  egress:\n  - action: Deny\n    destination: {notSelector: kind == 'v4'}\n"
               "  - action: Allow\n")
    e = Engine(load_string(V6_PODS + netset + deny))
    # Felix's IPv6 IP set for "kind == 'v4'" is empty: nothing is excluded, the Deny matches.
    assert not e.allowed("x/v6", "2001:db8::1", 80)
    assert e.allowed("x/v4", "10.1.1.1", 80) and not e.allowed("x/v4", "8.8.8.8", 80)


# -- 3. ClusterNetworkPolicy nodes peers -------------------------------------------------------------
NODES = """\
---
apiVersion: v1
kind: Node
metadata: {name: worker, labels: {role: worker}}
status: {addresses: [{type: InternalIP, address: 172.18.0.3}, {type: ExternalIP, address: 203.0.113.3},
                     {type: Hostname, address: worker}]}
---
apiVersion: v1
kind: Node
metadata: {name: control, labels: {role: control}}
status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
"""
HOST_POD = """\
---
apiVersion: v1
kind: Pod
metadata: {name: agent, namespace: kube-system}
spec: {hostNetwork: true, containers: [{name: c, image: i}]}
status: {podIP: 172.18.0.3}
"""


def cnp_rule(action: str, peers: str, name: str = "to-nodes") -> str:
    return (f"---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: {name}}}\n"
            f"spec:\n  tier: Admin\n  priority: 10\n  subject: {{namespaces: {{}}}}\n"
            f"  egress:\n  - action: {action}\n    to: {peers}\n")


def test_nodes_peer_without_nodes_loaded_matches_nothing_on_the_kubernetes_dataplane():
    e = Engine(load_string(PODS + cnp_rule("Deny", "[{nodes: {}}]")), "kubernetes")
    assert e.allowed("x/a", "y/d", 81) and e.allowed("x/a", "172.18.0.3", 80)
    v = e.verdict("x/a", "y/d", 81)
    assert "no Node objects are loaded" in render_verdict(v)
    agrees_with_matrix(e, 81, "TCP")


def test_nodes_peer_matches_internal_and_external_ips_of_the_selected_nodes():
    e = Engine(load_string(PODS + NODES + cnp_rule("Deny", "[{nodes: {matchLabels: {role: worker}}}]")), "kubernetes")
    assert not e.allowed("x/a", "172.18.0.3", 80) and not e.allowed("x/a", "203.0.113.3", 443)
    assert e.allowed("x/a", "172.18.0.2", 80)  # control is not selected
    assert e.allowed("x/a", "y/d", 81)  # pods are never node addresses
    assert "is an address of Node worker" in render_verdict(e.verdict("x/a", "172.18.0.3", 80))


def test_a_host_network_pod_has_its_nodes_address_and_is_matched_by_it():
    e = Engine(load_string(PODS + NODES + HOST_POD + cnp_rule("Deny", "[{nodes: {}}]")), "kubernetes")
    assert not e.allowed("x/a", "kube-system/agent", 80)
    agrees_with_matrix(e, 80, "TCP")


@pytest.mark.parametrize("action", ["Deny", "Pass"])
def test_calico_fails_closed_on_a_rule_with_a_nodes_peer_deny_and_pass_deny_all(action):
    e = Engine(load_string(PODS + NODES + cnp_rule(action, "[{nodes: {}}]")), "calico")
    assert not e.allowed("x/a", "y/d", 81) and not e.allowed("x/a", "8.8.8.8", 53, "UDP")
    text = render_verdict(e.verdict("x/a", "y/d", 81))
    assert "Calico 3.32 does not implement nodes peers" in text and "denies all traffic" in text
    agrees_with_matrix(e, 81, "TCP")


def test_calico_drops_an_accept_rule_with_a_nodes_peer_even_for_its_other_peers():
    deny_rest = cnp_rule("Deny", "[{namespaces: {}}]", "deny-rest").replace("priority: 10", "priority: 20")
    text = PODS + cnp_rule("Accept", "[{namespaces: {}}, {nodes: {}}]") + deny_rest
    assert not Engine(load_string(text), "calico").allowed("x/a", "y/d", 81)
    assert Engine(load_string(text), "kubernetes").allowed("x/a", "y/d", 81)  # the namespaces peer accepts


# -- re-reading selector scoping: a CNP namespaces peer under Calico ----------------------------------
def test_calico_matches_a_cnp_namespaces_peer_against_namespaced_network_sets_too():
    # Calico 3.32.1's converter writes the peer as a rule namespaceSelector without selector, and a
    # namespaced NetworkSet carries its namespace's labels; kube-network-policies matches pods only.
    netset = ("---\napiVersion: projectcalico.org/v3\nkind: NetworkSet\nmetadata: {name: partners, namespace: 'y'}\n"
              "spec: {nets: [198.51.100.0/24]}\n")
    text = PODS + netset + cnp_rule("Deny", "[{namespaces: {matchLabels: {kubernetes.io/metadata.name: 'y'}}}]")
    calico, kubernetes = Engine(load_string(text), "calico"), Engine(load_string(text), "kubernetes")
    assert not calico.allowed("x/a", "198.51.100.9", 443) and kubernetes.allowed("x/a", "198.51.100.9", 443)
    assert not calico.allowed("x/a", "y/d", 81) and not kubernetes.allowed("x/a", "y/d", 81)
    assert "Calico's namespaces peer takes in the NetworkSets" in render_verdict(calico.verdict("x/a", "198.51.100.9", 443))
    assert "198.51.100.0/24" in calico.criteria.cidrs


def test_a_tie_between_a_calico_policy_and_a_cnp_goes_by_felix_backend_kind():
    # felix/calc/policy_sorter.go PolKVLess: "<name>/<namespace>/<kind>"; a CNP's backend kind is
    # KubernetesClusterNetworkPolicy, so a GlobalNetworkPolicy of the same name and order goes first.
    gnp_deny = gnp("  tier: kube-admin\n  order: 10\n  selector: all()\n  types: [Egress]\n  egress: [{action: Deny}]\n",
                   "same")
    cnp_accept = cnp_rule("Accept", "[{namespaces: {}}]", "same")
    e = Engine(load_string(PODS + gnp_deny + cnp_accept))
    assert [p.ref.kind for p in e.program.tiers[0].policies] == ["GlobalNetworkPolicy", "ClusterNetworkPolicy"]
    assert not e.allowed("x/a", "y/d", 81)

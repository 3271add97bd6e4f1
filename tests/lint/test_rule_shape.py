"""NP301-NP304: the AND/OR dash, allow-all rules, ipBlocks over pods, named ports."""

from __future__ import annotations

from .conftest import CLUSTER, run
from .test_selection import k8s_policy

AND_OR = """\
  podSelector: {matchLabels: {app: backend}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {purpose: monitoring}}
    - podSelector: {matchLabels: {role: monitor}}
"""


# -- NP301 and-or-peers --------------------------------------------------------------------------
def test_namespace_only_then_pod_only_peer_is_the_and_or_trap():
    text = k8s_policy("allow-ingress-from-monitoring", AND_OR)
    [f] = run(text, "NP301")
    assert f.path == "spec.ingress[0].from[1]"
    lines = (CLUSTER + "---\n" + text).splitlines()
    assert f.origin.line == lines.index("    - podSelector: {matchLabels: {role: monitor}}") + 1
    assert "OR matches 1 pod; AND would match 1" in f.message
    assert "delete the `-` in front of podSelector" in f.fix


def test_the_reverse_order_is_the_same_trap():
    swapped = AND_OR.replace("    - namespaceSelector: {matchLabels: {purpose: monitoring}}\n", "") + \
        "    - namespaceSelector: {matchLabels: {purpose: monitoring}}\n"
    [f] = run(k8s_policy("allow-ingress-from-monitoring", swapped), "NP301")
    assert "delete the `-` in front of namespaceSelector" in f.fix


def test_one_peer_with_both_selectors_is_clean():
    merged = AND_OR.replace("    - podSelector", "      podSelector")
    assert not run(k8s_policy("allow-ingress-from-monitoring", merged), "NP301")


# -- NP302 allow-all-rule ------------------------------------------------------------------------
MIXED = """\
  podSelector: {matchLabels: {app: backend}}
  policyTypes: [Ingress]
  ingress:
  - from: [{podSelector: {matchLabels: {app: frontend}}}]
    ports: [{port: 8080}]
  - %s
"""


def test_empty_rule_among_specific_rules_allows_everything():
    [f] = run(k8s_policy("allow-ingress-to-backend", MIXED % "{}"), "NP302")
    assert f.path == "spec.ingress[1]" and "is `{}`" in f.message and "spec.ingress[0] restrict nothing" in f.message


def test_empty_from_list_is_named_as_written():
    [f] = run(k8s_policy("allow-ingress-to-backend", MIXED % "from: []"), "NP302")
    assert "is `from: []`" in f.message


def test_a_lone_allow_all_rule_is_clean():
    lone = "  podSelector: {}\n  policyTypes: [Ingress]\n  ingress: [{}]\n"
    assert not run(k8s_policy("allow-ingress-from-anywhere", lone), "NP302")


# -- NP303 ipblock-pods --------------------------------------------------------------------------
def ip_block(cidr: str) -> str:
    return k8s_policy("allow-egress-to-db-net", f"""\
  podSelector: {{matchLabels: {{app: backend}}}}
  policyTypes: [Egress]
  egress:
  - to:
    - ipBlock: {{cidr: {cidr}}}
""")


def test_ipblock_containing_pod_addresses_is_reported():
    [f] = run(ip_block("10.244.1.0/24"), "NP303")
    assert f.path == "spec.egress[0].to[0].ipBlock"
    assert "app/backend 10.244.1.11" in f.message and "Calico does" in f.message


def test_ipblock_outside_the_pods_is_clean():
    assert not run(ip_block("10.100.0.0/16"), "NP303")


def test_ipblock_finding_names_the_range_npkit_gave_addresses_in():
    from npkit.lint.rules.peers import _assigned_range
    from npkit.model import Pod

    # Past 32,512 pods without an address, the loader uses 10.0.0.0/8 (loading/addresses.py).
    assert _assigned_range([Pod("a", "x", ip="10.244.3.4")]) == "10.244.0.0/16, kind's pod range"
    assert _assigned_range([Pod("a", "x", ip="10.244.3.4"), Pod("b", "x", ip="10.7.0.1")]) == "10.0.0.0/8"


# -- NP304 named-port ----------------------------------------------------------------------------
def named(port: str, direction: str = "Ingress") -> str:
    if direction == "Ingress":
        spec = f"  podSelector: {{matchLabels: {{app: backend}}}}\n  ingress:\n  - ports: [{{port: {port}}}]\n"
    else:
        spec = (f"  podSelector: {{matchLabels: {{app: backend}}}}\n  policyTypes: [Egress]\n  egress:\n"
                f"  - to: [{{podSelector: {{matchLabels: {{app: db}}}}}}]\n    ports: [{{port: {port}}}]\n")
    return k8s_policy("allow-x", spec)


def test_named_port_the_selected_pods_do_not_declare_is_an_error():
    [f] = run(named("metrics"), "NP304")
    assert (f.severity, f.path) == ("error", "spec.ingress[0].ports[0]")
    assert "named port 'metrics' TCP matches nothing" in f.message and "TCP/8080 (http)" in f.message


def test_named_port_the_selected_pods_declare_is_clean():
    assert not run(named("http"), "NP304")


def test_egress_named_port_resolves_on_the_destination_pods():
    [f] = run(named("http", "Egress"), "NP304")
    assert "destination pods (1 pod: app/db)" in f.message
    assert not run(named("postgres", "Egress"), "NP304")


def test_calico_named_port_resolves_on_the_destination_endpoints():
    gnp = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-egress-to-db}
spec:
  order: 10
  selector: app == 'backend'
  types: [Egress]
  egress:
  - action: Allow
    protocol: TCP
    destination: {selector: app == 'db', ports: [%s]}
"""
    [f] = run(gnp % "http", "NP304")
    assert f.path == "spec.egress[0].destination.ports[0]" and "1 pod: app/db" in f.message
    assert not run(gnp % "postgres", "NP304")


DNS_BY_NAME = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: dns-by-name}
spec:
  order: 10
  selector: app == 'backend'
  types: [Egress]
  egress:
  - action: Allow
%s    destination: {selector: k8s-app == 'kube-dns', ports: [dns]}
"""


def test_a_calico_named_port_without_protocol_resolves_with_the_pods_own_protocol():
    # Calico 3.32: coredns's dns port is 53/UDP, and a rule without protocol matches any protocol.
    assert not run(DNS_BY_NAME % "", "NP304")
    [f] = run(DNS_BY_NAME % "  - protocol: TCP\n".replace("  - ", "    "), "NP304")
    assert "named port 'dns' TCP matches nothing" in f.message
    assert "kube-system/coredns (UDP/53 (dns)) names it, but with another protocol" in f.message

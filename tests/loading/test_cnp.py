"""ClusterNetworkPolicy (v1alpha2) and legacy AdminNetworkPolicy / BaselineAdminNetworkPolicy (v1alpha1)
loading: one case per CRD rule (field path, line, words) and the model each kind becomes."""

from __future__ import annotations

import textwrap

import pytest

from npkit.loading import load_string
from npkit.model import ClusterNetworkPolicy, CNPPeer, CNPPort, CNPRule, CNPSubject, LabelSelector

NS_X = LabelSelector.of({"kubernetes.io/metadata.name": "x"})
NS_Y = LabelSelector.of({"kubernetes.io/metadata.name": "y"})
SUBJECT = "subject:\n  namespaces: {matchLabels: {kubernetes.io/metadata.name: 'y'}}"


def cnp(body: str, name: str = "p", head: str = "tier: Admin\npriority: 10") -> str:
    """A ClusterNetworkPolicy whose spec is `head` then `body` (YAML as written under `spec:`)."""
    spec = textwrap.indent(head + "\n" + textwrap.dedent(body).strip("\n"), "  ")
    return (f"apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\n"
            f"metadata:\n  name: {name}\nspec:\n{spec}\n")


def legacy(kind: str, body: str, name: str = "default") -> str:
    spec = textwrap.indent(textwrap.dedent(body).strip("\n"), "  ")
    return (f"apiVersion: policy.networking.k8s.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\n"
            f"spec:\n{spec}\n")


def egress(to: str, extra: str = "", action: str = "Accept") -> str:
    """A CNP body with the standard subject and one egress rule."""
    return f"{SUBJECT}\negress:\n- action: {action}\n  to:\n{textwrap.indent(to, '  ')}{extra}"


def ingress(rule: str) -> str:
    return f"{SUBJECT}\ningress:\n{rule}"


FROM_X = "  from:\n  - namespaces: {matchLabels: {kubernetes.io/metadata.name: x}}\n"

# (id, document, field path of the error, text on the error's line, words the message must contain)
INVALID = [
    ("tier-missing", cnp(SUBJECT, head="priority: 1"), "spec.tier", "spec:", "required field tier"),
    ("tier-case", cnp(SUBJECT, head="tier: admin\npriority: 1"), "spec.tier", "tier: admin", 'write "Admin"'),
    ("priority-missing", cnp(SUBJECT, head="tier: Admin"), "spec.priority", "spec:", "required field priority"),
    ("priority-range", cnp(SUBJECT, head="tier: Baseline\npriority: 1001"), "spec.priority", "priority: 1001",
     "between 0 and 1000"),
    ("subject-missing", cnp("ingress: []"), "spec.subject", "spec:", "required field subject"),
    ("subject-empty", cnp("subject: {}"), "spec.subject", "subject: {}", "must set one of namespaces, pods"),
    ("subject-both", cnp("subject:\n  namespaces: {}\n  pods: {podSelector: {}}"), "spec.subject", "subject:",
     "exactly one"),
    ("subject-pods-no-pod-selector", cnp("subject:\n  pods:\n    namespaceSelector: {}"),
     "spec.subject.pods.podSelector", "pods:", "required field podSelector"),
    ("too-many-rules", cnp(SUBJECT + "\ningress:\n" + "- action: Deny\n  from: [{namespaces: {}}]\n" * 26),
     "spec.ingress", "ingress:", "at most 25 rules"),
    ("rule-name-long", cnp(ingress(f"- name: {'n' * 101}\n  action: Deny\n" + FROM_X)), "spec.ingress[0].name",
     "- name: nnn", "at most 100 characters"),
    ("action-allow", cnp(ingress("- action: Allow\n" + FROM_X)), "spec.ingress[0].action", "action: Allow",
     "says Accept where AdminNetworkPolicy said Allow"),
    ("action-case", cnp(ingress("- action: deny\n" + FROM_X)), "spec.ingress[0].action", "action: deny",
     'write "Deny"'),
    ("from-missing", cnp(ingress("- action: Deny")), "spec.ingress[0].from", "- action: Deny",
     "required field from"),
    ("from-empty", cnp(ingress("- action: Deny\n  from: []")), "spec.ingress[0].from", "from: []",
     "at least one peer"),
    ("too-many-peers", cnp(ingress("- action: Deny\n  from:\n" + "  - namespaces: {}\n" * 26)),
     "spec.ingress[0].from", "from:", "at most 25 peers"),
    ("peer-two-fields", cnp(egress("- namespaces: {}\n  networks: [10.0.0.0/8]\n")), "spec.egress[0].to[0]",
     "- namespaces: {}", "takes exactly one"),
    ("peer-empty", cnp(egress("- {}\n")), "spec.egress[0].to[0]", "- {}", "must set one of"),
    ("networks-in-ingress", cnp(ingress("- action: Deny\n  from:\n  - networks: [10.0.0.0/8]")),
     "spec.ingress[0].from[0].networks", "- networks:", "only allowed in egress rules"),
    ("nodes-in-ingress", cnp(ingress("- action: Deny\n  from:\n  - nodes: {}")),
     "spec.ingress[0].from[0].nodes", "- nodes:", "only allowed in egress rules"),
    ("network-invalid", cnp(egress("- networks:\n  - 10.0.0.0/40\n")), "spec.egress[0].to[0].networks[0]",
     "- 10.0.0.0/40", "at most 32"),
    ("network-bare-ip", cnp(egress("- networks:\n  - 10.1.2.3\n")), "spec.egress[0].to[0].networks[0]",
     "- 10.1.2.3", "10.1.2.3/32"),
    ("networks-empty", cnp(egress("- networks: []\n")), "spec.egress[0].to[0].networks", "networks: []",
     "at least one CIDR"),
    ("networks-twice", cnp(egress("- networks:\n  - 10.0.0.0/8\n  - 10.0.0.0/8  # again\n")),
     "spec.egress[0].to[0].networks[1]", "# again", "listed twice"),
    ("networks-too-many", cnp(egress("- networks: [" + ", ".join(f"10.{i}.0.0/16" for i in range(26)) + "]\n")),
     "spec.egress[0].to[0].networks", "- networks:", "at most 25"),
    ("domain-name-invalid", cnp(egress("- domainNames:\n  - localhost\n")), "spec.egress[0].to[0].domainNames[0]",
     "- localhost", "at least one '.'"),
    ("protocols-empty", cnp(egress("- namespaces: {}\n", "  protocols: []\n")), "spec.egress[0].protocols",
     "protocols: []", "leave protocols out"),
    ("protocol-two-fields", cnp(egress("- namespaces: {}\n", "  protocols:\n  - tcp: {destinationPort: {number: 80}}\n"
                                       "    destinationNamedPort: http\n")),
     "spec.egress[0].protocols[0]", "- tcp:", "exactly one"),
    ("protocol-without-port", cnp(egress("- namespaces: {}\n", "  protocols:\n  - udp: {}\n")),
     "spec.egress[0].protocols[0].udp.destinationPort", "- udp: {}", "required field destinationPort"),
    ("port-number-and-range", cnp(egress("- namespaces: {}\n", "  protocols:\n  - sctp:\n      destinationPort:\n"
                                         "        number: 80\n        range: {start: 1, end: 2}\n")),
     "spec.egress[0].protocols[0].sctp.destinationPort", "destinationPort:", "exactly one"),
    ("port-number-zero", cnp(egress("- namespaces: {}\n", "  protocols:\n  - tcp: {destinationPort: {number: 0}}\n")),
     "spec.egress[0].protocols[0].tcp.destinationPort.number", "- tcp:", "between 1 and 65535"),
    ("port-range-order", cnp(egress("- namespaces: {}\n", "  protocols:\n  - tcp:\n      destinationPort:\n"
                                    "        range:\n          start: 9000\n          end: 9000\n")),
     "spec.egress[0].protocols[0].tcp.destinationPort.range.end", "end: 9000", "greater than start"),
    ("named-port-with-networks", cnp(egress("- namespaces: {}\n- networks: [10.0.0.0/8]\n",
                                            "  protocols:\n  - destinationNamedPort: http\n")),
     "spec.egress[0].protocols", "protocols:", "only pods have named ports"),
    ("named-port-with-nodes", cnp(egress("- nodes: {}\n", "  protocols:\n  - destinationNamedPort: http\n")),
     "spec.egress[0].protocols", "protocols:", "include nodes"),
    # -- legacy kinds --
    ("banp-name", legacy("BaselineAdminNetworkPolicy", "subject: {namespaces: {}}", name="baseline"),
     "metadata.name", "name: baseline", 'must be named "default"'),
    ("banp-pass", legacy("BaselineAdminNetworkPolicy", "subject: {namespaces: {}}\ningress:\n- action: Pass\n"
                         "  from: [{namespaces: {}}]"),
     "spec.ingress[0].action", "action: Pass", "no later tier"),
    ("banp-domain-names", legacy("BaselineAdminNetworkPolicy", "subject: {namespaces: {}}\negress:\n"
                                 "- action: Allow\n  to:\n  - domainNames: [example.com]"),
     "spec.egress[0].to[0].domainNames", "- domainNames:", "has no domainNames peers"),
    ("anp-accept", legacy("AdminNetworkPolicy", "priority: 1\nsubject: {namespaces: {}}\ningress:\n"
                          "- action: Accept\n  from: [{namespaces: {}}]", name="a"),
     "spec.ingress[0].action", "action: Accept", "says Allow"),
    ("anp-priority", legacy("AdminNetworkPolicy", "priority: -1\nsubject: {namespaces: {}}", name="a"),
     "spec.priority", "priority: -1", "between 0 and 1000"),
    ("anp-pods-need-namespace-selector", legacy("AdminNetworkPolicy", "priority: 1\nsubject: {namespaces: {}}\n"
                                                "ingress:\n- action: Deny\n  from:\n  - pods:\n"
                                                "      podSelector: {}", name="a"),
     "spec.ingress[0].from[0].pods.namespaceSelector", "- pods:", "required field namespaceSelector"),
    ("anp-port-protocol", legacy("AdminNetworkPolicy", "priority: 1\nsubject: {namespaces: {}}\ningress:\n"
                                 "- action: Deny\n  from: [{namespaces: {}}]\n  ports:\n"
                                 "  - portNumber: {protocol: tcp, port: 80}", name="a"),
     "spec.ingress[0].ports[0].portNumber.protocol", "portNumber:", "in capitals"),
    ("anp-port-range", legacy("AdminNetworkPolicy", "priority: 1\nsubject: {namespaces: {}}\negress:\n"
                              "- action: Deny\n  to: [{namespaces: {}}]\n  ports:\n"
                              "  - portRange: {start: 90, end: 80}", name="a"),
     "spec.egress[0].ports[0].portRange.end", "portRange:", "greater than start (90)"),
    ("anp-port-two-fields", legacy("AdminNetworkPolicy", "priority: 1\nsubject: {namespaces: {}}\negress:\n"
                                   "- action: Deny\n  to: [{namespaces: {}}]\n  ports:\n"
                                   "  - {namedPort: http, portNumber: {port: 80}}", name="a"),
     "spec.egress[0].ports[0]", "- {namedPort", "exactly one"),
]


@pytest.mark.parametrize("text, path, snippet, words", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_cluster_network_policies_are_reported_at_the_field(yaml_loader, text, path, snippet, words):
    errors = [e for e in yaml_loader.errors(text) if e.path == path]
    assert len(errors) == 1, errors
    assert errors[0].origin.line == yaml_loader.line_of(text, snippet)
    assert words in errors[0].message


def test_the_reference_example_becomes_the_model():
    text = cnp("""
        subject:
          namespaces: {matchLabels: {kubernetes.io/metadata.name: "y"}}
        ingress:
        - name: deny-from-x
          action: Deny
          from:
          - namespaces: {matchLabels: {kubernetes.io/metadata.name: x}}
          protocols:
          - tcp: {destinationPort: {number: 80}}
          - udp: {destinationPort: {range: {start: 8000, end: 9000}}}
          - destinationNamedPort: http
        egress:
        - action: Accept
          to:
          - networks: ["10.0.0.0/16"]
          - pods: {podSelector: {matchLabels: {app: db}}}
        """, name="deny-x-to-y", head="tier: Admin\npriority: 50")
    [policy] = load_string(text).cluster_network_policies
    assert (policy.name, policy.tier, policy.priority, policy.legacy_kind) == ("deny-x-to-y", "Admin", 50, None)
    assert policy.subject == CNPSubject(NS_Y)
    assert policy.ingress == (CNPRule("Deny", (CNPPeer("namespaces", NS_X),), (
        CNPPort("TCP", 80, 80), CNPPort("UDP", 8000, 9000), CNPPort(named_port="http")), "deny-from-x"),)
    # A `pods` peer without namespaceSelector means every namespace in v1alpha2.
    assert policy.egress == (CNPRule("Accept", (
        CNPPeer("networks", networks=("10.0.0.0/16",)),
        CNPPeer("pods", LabelSelector(), LabelSelector.of({"app": "db"})))),)
    assert policy.field_lines["spec.egress[0].to[1].pods"] == 23


def test_pods_subject_keeps_both_selectors():
    text = cnp("subject:\n  pods:\n    namespaceSelector: {matchLabels: {env: prod}}\n    podSelector: {}")
    subject = load_string(text).cluster_network_policies[0].subject
    assert subject == CNPSubject(LabelSelector.of({"env": "prod"}), LabelSelector())


@pytest.mark.parametrize("peer, expected", [
    ("- nodes: {matchLabels: {role: infra}}\n", CNPPeer("nodes", node_selector=LabelSelector.of({"role": "infra"}))),
    ("- domainNames: ['*.example.com']\n", CNPPeer("domainNames")),
])
def test_peers_calico_does_not_implement_load_with_a_fail_closed_warning(peer, expected):
    kind = expected.kind
    cluster = load_string(cnp(egress(peer)))
    assert cluster.cluster_network_policies[0].egress[0].peers == (expected,)
    [warning] = cluster.warnings
    assert warning.path == f"spec.egress[0].to[0].{kind}" and "fails closed" in warning.message


def test_domain_names_outside_accept_rules_are_flagged():
    cluster = load_string(cnp(egress("- domainNames: [example.com]\n", action="Deny")))
    assert any("only supported in Accept rules" in w.message for w in cluster.warnings)


def test_networks_with_host_bits_mean_their_network():
    cluster = load_string(cnp(egress("- networks: [10.1.2.3/16]\n")))
    assert cluster.cluster_network_policies[0].egress[0].peers[0].networks == ("10.1.0.0/16",)
    [warning] = cluster.warnings
    assert "means 10.1.0.0/16" in warning.message


def test_an_invalid_named_port_is_accepted_but_matches_nothing():
    cluster = load_string(cnp(egress("- namespaces: {}\n", "  protocols:\n  - destinationNamedPort: Web_UI\n")))
    assert cluster.cluster_network_policies[0].egress[0].ports == (CNPPort(named_port="Web_UI"),)
    assert "matches nothing" in cluster.warnings[0].message


def test_status_from_kubectl_output_is_accepted():
    cluster = load_string(cnp(SUBJECT) + "status:\n  conditions: []\n")
    assert cluster.cluster_network_policies[0].ingress == ()


def test_admin_network_policy_maps_onto_the_admin_tier():
    text = legacy("AdminNetworkPolicy", """
        priority: 7
        subject:
          pods:
            namespaceSelector: {}
            podSelector: {matchLabels: {app: web}}
        ingress:
        - name: allow-monitoring
          action: Allow
          from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: x}}}]
          ports:
          - portNumber: {protocol: TCP, port: 9090}
          - namedPort: metrics
          - portRange: {protocol: UDP, start: 1000, end: 2000}
        egress:
        - action: Pass
          to: [{networks: [192.168.0.0/16]}]
        """, name="anp")
    cluster = load_string(text)
    [policy] = cluster.cluster_network_policies
    assert (policy.tier, policy.priority, policy.legacy_kind) == ("Admin", 7, "AdminNetworkPolicy")
    assert policy.ref.kind == "AdminNetworkPolicy"
    assert policy.ingress == (CNPRule("Accept", (CNPPeer("namespaces", NS_X),), (
        CNPPort("TCP", 9090, 9090), CNPPort(named_port="metrics"), CNPPort("UDP", 1000, 2000)),
        "allow-monitoring"),)
    assert policy.egress[0].action == "Pass"
    [warning] = cluster.warnings
    assert "superseded by ClusterNetworkPolicy" in warning.message and "Calico 3.32" in warning.message


def test_legacy_ports_default_to_tcp():
    text = legacy("AdminNetworkPolicy", "priority: 1\nsubject: {namespaces: {}}\ningress:\n- action: Deny\n"
                  "  from: [{namespaces: {}}]\n  ports: [{portNumber: {port: 22}}, {portRange: {start: 1, end: 9}}]",
                  name="a")
    assert load_string(text).cluster_network_policies[0].ingress[0].ports == (CNPPort("TCP", 22, 22),
                                                                               CNPPort("TCP", 1, 9))


def test_baseline_admin_network_policy_maps_onto_the_baseline_tier():
    text = legacy("BaselineAdminNetworkPolicy", "subject: {namespaces: {}}\negress:\n- action: Deny\n"
                  "  to: [{nodes: {}}]")
    cluster = load_string(text)
    [policy] = cluster.cluster_network_policies
    assert isinstance(policy, ClusterNetworkPolicy)
    assert (policy.tier, policy.priority, policy.legacy_kind) == ("Baseline", 0, "BaselineAdminNetworkPolicy")
    assert policy.egress == (CNPRule("Deny", (CNPPeer("nodes"),)),)
    assert len(cluster.warnings) == 2  # superseded kind, and the nodes peer

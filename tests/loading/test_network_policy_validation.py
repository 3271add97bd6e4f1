"""NetworkPolicy validation mirrors the API server: one case per rule, each error names the
field path and the line of the offending field, in words a learner understands."""

from __future__ import annotations

import pytest

from npkit.model import IPBlock, LabelSelector, Peer, PolicyPort, Requirement, Rule

# (id, spec, field path of the error, text on the error's line, words the message must contain)
INVALID = [
    ("peer-empty", """
        ingress:
        - from:
          - {}
        """, "spec.ingress[0].from[0]", "- {}", "must specify a peer"),
    ("peer-null-selector", """
        ingress:
        - from:
          - namespaceSelector:
        """, "spec.ingress[0].from[0]", "- namespaceSelector:", "must specify a peer"),
    ("peer-ipblock-and-selector", """
        egress:
        - to:
          - podSelector: {}
          - ipBlock: {cidr: 10.0.0.0/8}
            namespaceSelector: {}
        """, "spec.egress[0].to[1]", "- ipBlock", "may not combine ipBlock"),
    ("cidr-not-a-cidr", """
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/33
        """, "spec.ingress[0].from[0].ipBlock.cidr", "cidr: 10.0.0.0/33", "prefix length must be at most 32"),
    ("cidr-garbage", """
        ingress:
        - from:
          - ipBlock:
              cidr: ten.0.0.0/8
        """, "spec.ingress[0].from[0].ipBlock.cidr", "cidr: ten", "must be a CIDR"),
    ("cidr-host-bits", """
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.5/24
        """, "spec.ingress[0].from[0].ipBlock.cidr", "cidr: 10.0.0.5/24", "write 10.0.0.0/24"),
    ("cidr-no-prefix", """
        ingress:
        - from:
          - ipBlock:
              cidr: 192.168.1.1
        """, "spec.ingress[0].from[0].ipBlock.cidr", "cidr: 192.168.1.1", "192.168.1.1/32"),
    ("cidr-leading-zeros", """
        ingress:
        - from:
          - ipBlock:
              cidr: 010.0.0.0/8
        """, "spec.ingress[0].from[0].ipBlock.cidr", "cidr: 010", "must be a CIDR"),
    ("cidr-missing", """
        ingress:
        - from:
          - ipBlock:
              except: [10.1.0.0/16]
        """, "spec.ingress[0].from[0].ipBlock.cidr", "- ipBlock:", "required field cidr is missing"),
    ("except-outside-cidr", """
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/8
              except:
              - 10.1.0.0/16
              - 192.168.0.0/16
        """, "spec.ingress[0].from[0].ipBlock.except[1]", "- 192.168.0.0/16",
     "strictly inside cidr 10.0.0.0/8"),
    ("except-equal-to-cidr", """
        egress:
        - to:
          - ipBlock:
              cidr: 10.0.0.0/8
              except: [10.0.0.0/8]
        """, "spec.egress[0].to[0].ipBlock.except[0]", "except: [10.0.0.0/8]", "strictly inside"),
    ("except-other-family", """
        egress:
        - to:
          - ipBlock:
              cidr: 10.0.0.0/8
              except: ["fd00::/64"]
        """, "spec.egress[0].to[0].ipBlock.except[0]", "except:", "strictly inside"),
    ("port-zero", """
        ingress:
        - ports:
          - port: 0
        """, "spec.ingress[0].ports[0].port", "port: 0", "between 1 and 65535"),
    ("port-too-big", """
        ingress:
        - ports:
          - port: 70000
        """, "spec.ingress[0].ports[0].port", "port: 70000", "between 1 and 65535"),
    ("named-port-uppercase", """
        ingress:
        - ports:
          - port: HTTP
        """, "spec.ingress[0].ports[0].port", "port: HTTP", "lowercase letters"),
    ("named-port-too-long", """
        ingress:
        - ports:
          - port: my-very-long-port-name
        """, "spec.ingress[0].ports[0].port", "port: my-very", "at most 15 characters"),
    ("named-port-double-dash", """
        ingress:
        - ports:
          - port: web--tls
        """, "spec.ingress[0].ports[0].port", "port: web--tls", "'--'"),
    ("named-port-edge-dash", """
        ingress:
        - ports:
          - port: -web
        """, "spec.ingress[0].ports[0].port", "port: -web", "begin or end with '-'"),
    ("named-port-quoted-number", """
        ingress:
        - ports:
          - port: "80"
        """, "spec.ingress[0].ports[0].port", 'port: "80"', "without quotes"),
    ("endport-without-port", """
        ingress:
        - ports:
          - endPort: 90
        """, "spec.ingress[0].ports[0].endPort", "endPort: 90", "without port"),
    ("endport-with-named-port", """
        ingress:
        - ports:
          - port: http
            endPort: 90
        """, "spec.ingress[0].ports[0].endPort", "endPort: 90", "port is a name"),
    ("endport-below-port", """
        egress:
        - ports:
          - port: 9000
            endPort: 8000
        """, "spec.egress[0].ports[0].endPort", "endPort: 8000", "greater than or equal to port (9000)"),
    ("endport-too-big", """
        egress:
        - ports:
          - port: 9000
            endPort: 65536
        """, "spec.egress[0].ports[0].endPort", "endPort: 65536", "between 1 and 65535"),
    ("protocol-lowercase", """
        ingress:
        - ports:
          - protocol: tcp
            port: 80
        """, "spec.ingress[0].ports[0].protocol", "protocol: tcp", "TCP, UDP, SCTP"),
    ("protocol-icmp", """
        ingress:
        - ports:
          - protocol: ICMP
        """, "spec.ingress[0].ports[0].protocol", "protocol: ICMP", "TCP, UDP, SCTP"),
    ("policy-type-unknown", """
        podSelector: {}
        policyTypes:
        - Ingress
        - Egres
        """, "spec.policyTypes[1]", "- Egres", "must be Ingress or Egress"),
    ("policy-type-lowercase", """
        podSelector: {}
        policyTypes: [ingress]
        """, "spec.policyTypes[0]", "policyTypes: [ingress]", 'write "Ingress"'),
    ("policy-types-three", """
        podSelector: {}
        policyTypes: [Ingress, Egress, Ingress]
        """, "spec.policyTypes", "policyTypes:", "more than two"),
    ("operator-unknown", """
        podSelector:
          matchExpressions:
          - key: app
            operator: Equals
            values: [web]
        """, "spec.podSelector.matchExpressions[0].operator", "operator: Equals", "In, NotIn, Exists"),
    ("operator-wrong-case", """
        podSelector:
          matchExpressions:
          - {key: app, operator: in, values: [web]}
        """, "spec.podSelector.matchExpressions[0].operator", "operator: in", 'write "In"'),
    ("in-without-values", """
        podSelector:
          matchExpressions:
          - key: app
            operator: In
        """, "spec.podSelector.matchExpressions[0].values", "- key: app", "at least one value"),
    ("notin-empty-values", """
        ingress:
        - from:
          - namespaceSelector:
              matchExpressions:
              - key: team
                operator: NotIn
                values: []
        """, "spec.ingress[0].from[0].namespaceSelector.matchExpressions[0].values", "values: []",
     "at least one value"),
    ("exists-with-values", """
        podSelector:
          matchExpressions:
          - key: app
            operator: Exists
            values: [web]
        """, "spec.podSelector.matchExpressions[0].values", "values: [web]", "must be empty"),
    ("selector-key-invalid", """
        podSelector:
          matchExpressions:
          - key: "app name"
            operator: Exists
        """, "spec.podSelector.matchExpressions[0].key", 'key: "app name"', "letters, digits"),
    ("selector-value-invalid", """
        podSelector:
          matchExpressions:
          - key: app
            operator: In
            values: [web, "-bad"]
        """, "spec.podSelector.matchExpressions[0].values[1]", "values: [web", "start and end with"),
    ("match-labels-key-invalid", """
        podSelector:
          matchLabels:
            "example.com/a/b": x
        """, 'spec.podSelector.matchLabels["example.com/a/b"]', "example.com/a/b", "at most one '/'"),
    ("match-labels-key-prefix-invalid", """
        podSelector:
          matchLabels:
            "Example_Com/app": x
        """, 'spec.podSelector.matchLabels["Example_Com/app"]', "Example_Com/app", "prefix"),
    ("match-labels-value-too-long", """
        podSelector:
          matchLabels:
            app: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
        """, "spec.podSelector.matchLabels.app", "app: aaaa", "at most 63 characters"),
    ("match-labels-value-bool", """
        podSelector:
          matchLabels:
            enabled: true
        """, "spec.podSelector.matchLabels.enabled", "enabled: true", 'write "true" in quotes'),
    ("ingress-not-a-list", """
        ingress:
          from:
          - podSelector: {}
        """, "spec.ingress", "ingress:", "must be a list"),
    ("from-a-string", """
        ingress:
        - from: everyone
        """, "spec.ingress[0].from", "from: everyone", "must be a list"),
    ("ports-a-number", """
        ingress:
        - ports: 80
        """, "spec.ingress[0].ports", "ports: 80", "must be a list"),
    ("port-a-float", """
        ingress:
        - ports:
          - port: 80.5
        """, "spec.ingress[0].ports[0].port", "port: 80.5", "number or a name"),
    ("except-a-string", """
        ingress:
        - from:
          - ipBlock:
              cidr: 10.0.0.0/8
              except: 10.1.0.0/16
        """, "spec.ingress[0].from[0].ipBlock.except", "except: 10.1.0.0/16", "must be a list"),
    ("unknown-field-podselecter", """
        podSelecter: {}
        """, "spec.podSelecter", "podSelecter", 'did you mean "podSelector"'),
    ("unknown-field-in-peer", """
        ingress:
        - from:
          - podSelector: {}
            namespaceSelecter: {}
        """, "spec.ingress[0].from[0].namespaceSelecter", "namespaceSelecter",
     'did you mean "namespaceSelector"'),
    ("unknown-field-in-rule", """
        egress:
        - too:
          - podSelector: {}
        """, "spec.egress[0].too", "- too:", 'did you mean "to"'),
    ("misplaced-match-labels", """
        podSelector: {}
        ingress:
        - from:
          - namespaceSelector: {}
            matchLabels: {app: web}
        """, "spec.ingress[0].from[0].matchLabels", "matchLabels:", "belongs under podSelector or namespaceSelector"),
    ("misplaced-peer-without-from", """
        podSelector: {}
        egress:
        - ipBlock: {cidr: 10.0.0.0/8}
        """, "spec.egress[0].ipBlock", "- ipBlock:", "in a to list"),
    ("misplaced-ports-in-peer", """
        podSelector: {}
        ingress:
        - from:
          - podSelector: {}
            ports: [{port: 80}]
        """, "spec.ingress[0].from[0].ports", "ports:", "same indentation as from or to"),
    ("unknown-field-far-from-anything", """
        podSelector: {}
        allowEverything: true
        """, "spec.allowEverything", "allowEverything", "unknown field"),
]


@pytest.mark.parametrize("spec,path,snippet,words", [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_policy_is_reported_at_field_and_line(yaml_loader, make_policy, spec, path, snippet, words):
    text = make_policy(spec)
    error = yaml_loader.error(text)
    assert error.path == path
    assert error.origin.line == yaml_loader.line_of(text, snippet)
    assert error.origin.file == "test.yaml"
    assert words in error.message
    assert str(error.obj) == "NetworkPolicy prod/web"


def test_every_error_is_reported_not_only_the_first(yaml_loader, make_policy):
    text = make_policy("""
        podSelector:
          matchLabels: {app: "-x"}
        ingress:
        - from:
          - {}
          ports:
          - port: 0
          - protocol: ICMP
        egress:
        - to:
          - ipBlock: {cidr: 10.0.0.0/8, except: [11.0.0.0/16]}
    """) + "---\n" + make_policy("policyTypes: [Sideways]", name="other")
    errors = yaml_loader.errors(text)
    assert [e.path for e in errors] == [
        "spec.podSelector.matchLabels.app",
        "spec.ingress[0].from[0]",
        "spec.ingress[0].ports[0].port",
        "spec.ingress[0].ports[1].protocol",
        "spec.egress[0].to[0].ipBlock.except[0]",
        "spec.policyTypes[0]",
    ]
    assert str(errors[-1].obj) == "NetworkPolicy prod/other"


def test_error_string_names_file_line_object_and_path(yaml_loader, make_policy):
    text = make_policy("ingress:\n- ports:\n  - port: 70000\n")
    assert str(yaml_loader.error(text)) == (
        "test.yaml:9: error: NetworkPolicy prod/web: spec.ingress[0].ports[0].port: "
        "Invalid value: 70000: must be between 1 and 65535")


def test_invalid_policy_name(yaml_loader):
    text = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata:
          name: Allow_Web
        spec: {}
    """
    error = yaml_loader.error(text)
    assert error.path == "metadata.name"
    assert error.origin.line == yaml_loader.line_of(text, "name: Allow_Web")
    assert "lowercase letters" in error.message


def test_invalid_namespace_name(yaml_loader, make_policy):
    error = yaml_loader.error(make_policy("podSelector: {}", namespace="Prod.Team"))
    assert error.path == "metadata.namespace"
    assert "Prod.Team" in error.message


def test_missing_name(yaml_loader):
    error = yaml_loader.error("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {}\n")
    assert error.path == "metadata.name"
    assert "missing" in error.message


def test_duplicate_policy_types_are_accepted_with_a_warning(yaml_loader, make_policy):
    # The API server rejects more than two entries but accepts [Ingress, Ingress].
    cluster = yaml_loader.load(make_policy("podSelector: {}\npolicyTypes: [Ingress, Ingress]"))
    assert cluster.network_policies[0].policy_types == ("Ingress",)
    [warning] = cluster.warnings
    assert warning.path == "spec.policyTypes[1]"
    assert "twice" in warning.message


# -- what a valid policy becomes ------------------------------------------------------------

def test_defaults_protocol_and_policy_types(yaml_loader, make_policy):
    cluster = yaml_loader.load(make_policy("""
        podSelector: {matchLabels: {app: web}}
        ingress:
        - ports:
          - port: 80
        egress:
        - {}
    """))
    [np] = cluster.network_policies
    assert np.policy_types == ("Ingress", "Egress")
    assert np.ingress[0].ports == (PolicyPort("TCP", 80, None),)
    assert np.pod_selector == LabelSelector.of({"app": "web"})


@pytest.mark.parametrize("egress,types", [
    ("", ("Ingress",)),
    ("egress: []", ("Ingress",)),
    ("egress: null", ("Ingress",)),
    ("egress: [{}]", ("Ingress", "Egress")),
])
def test_policy_types_default_depends_on_egress_rules(yaml_loader, make_policy, egress, types):
    cluster = yaml_loader.load(make_policy(f"podSelector: {{}}\n{egress}"))
    assert cluster.network_policies[0].policy_types == types


def test_explicit_policy_types_are_kept(yaml_loader, make_policy):
    cluster = yaml_loader.load(make_policy("podSelector: {}\npolicyTypes: [Egress]"))
    np = cluster.network_policies[0]
    assert np.policy_types == ("Egress",)
    assert np.ingress == () and np.egress == ()


def test_peers_and_selectors_become_model_values(yaml_loader, make_policy):
    cluster = yaml_loader.load(make_policy("""
        podSelector: {}
        ingress:
        - from:
          - namespaceSelector:
              matchLabels: {team: a}
            podSelector:
              matchExpressions:
              - {key: tier, operator: NotIn, values: [db, cache]}
          - ipBlock:
              cidr: 172.17.0.0/16
              except: [172.17.1.0/24]
          - podSelector: {}
          ports:
          - {port: http, protocol: TCP}
          - {port: 8000, endPort: 9000, protocol: UDP}
          - protocol: SCTP
    """))
    rule = cluster.network_policies[0].ingress[0]
    assert rule.peers == (
        Peer(LabelSelector((), (Requirement("tier", "NotIn", ("db", "cache")),)),
             LabelSelector.of({"team": "a"})),
        Peer(ip_block=IPBlock("172.17.0.0/16", ("172.17.1.0/24",))),
        Peer(pod_selector=LabelSelector()),
    )
    assert rule.ports == (PolicyPort("TCP", "http"), PolicyPort("UDP", 8000, 9000), PolicyPort("SCTP"))


def test_ipv6_blocks(yaml_loader, make_policy):
    cluster = yaml_loader.load(make_policy("""
        egress:
        - to:
          - ipBlock: {cidr: "fd00::/48", except: ["fd00:0:0:1::/64"]}
    """))
    block = cluster.network_policies[0].egress[0].peers[0].ip_block
    assert block == IPBlock("fd00::/48", ("fd00:0:0:1::/64",))


def test_missing_spec_is_a_deny_all_ingress_policy_with_a_warning(yaml_loader):
    cluster = yaml_loader.load("""
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: bare, namespace: prod}
    """)
    np = cluster.network_policies[0]
    assert (np.pod_selector, np.policy_types, np.ingress) == (LabelSelector(), ("Ingress",), ())
    assert "denies all their ingress" in cluster.warnings[0].message


def test_field_lines_cover_every_field(yaml_loader, make_policy):
    text = make_policy("""
        podSelector: {}
        ingress:
        - from:
          - podSelector: {}
          - ipBlock:
              cidr: 10.0.0.0/8
              except:
              - 10.1.0.0/16
    """)
    lines = yaml_loader.load(text).network_policies[0].field_lines
    assert lines["spec.ingress[0].from[1]"] == yaml_loader.line_of(text, "- ipBlock:")
    assert lines["spec.ingress[0].from[1].ipBlock.except[0]"] == yaml_loader.line_of(text, "- 10.1.0.0/16")
    assert lines["spec.ingress[0].from[0].podSelector"] == yaml_loader.line_of(text, "- podSelector: {}")
    assert lines["metadata.name"] == yaml_loader.line_of(text, "name: web")
    assert set(lines) >= {"spec", "spec.podSelector", "spec.ingress", "spec.ingress[0]",
                          "spec.ingress[0].from", "spec.ingress[0].from[1].ipBlock",
                          "spec.ingress[0].from[1].ipBlock.cidr"}


def test_bare_dash_items_are_zero_values_as_in_kubernetes(yaml_loader, make_policy):
    text = make_policy("""
        podSelector: {}
        ingress:
        -
        egress:
        - ports:
          -
    """)
    cluster = yaml_loader.load(text)
    np = cluster.network_policies[0]
    assert np.ingress == (Rule(),)
    assert np.egress == (Rule((), (PolicyPort("TCP"),)),)
    assert [(w.path, w.origin.line) for w in cluster.warnings] == [
        ("spec.ingress[0]", yaml_loader.line_of(text, "-", 1)),
        ("spec.egress[0].ports[0]", yaml_loader.line_of(text, "-", 3)),
    ]
    assert "allows all ingress traffic" in cluster.warnings[0].message


def test_a_bare_dash_peer_is_an_error(yaml_loader, make_policy):
    error = yaml_loader.error(make_policy("ingress:\n- from:\n  -\n"))
    assert error.path == "spec.ingress[0].from[0]" and "must specify a peer" in error.message

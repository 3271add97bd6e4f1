"""Kubernetes NetworkPolicy semantics, one test per rule of docs/semantics/kubernetes.md.

The cluster: namespaces x (team=a), y (team=b); pods
  x/web  app=web  ports TCP 80 "http", TCP 8080 "alt", UDP 53 "dns"
  x/db   app=db   ports TCP 5432 "pg"
  x/cli  app=cli, tier=fe
  y/web  app=web  ports TCP 8080 "http"      (same name, different number)
  y/mon  role=monitor
"""

from __future__ import annotations

import pytest

from npkit.engine import Engine
from npkit.loading import load_string

PODS = """
apiVersion: v1
kind: Namespace
metadata: {name: x, labels: {team: a}}
---
apiVersion: v1
kind: Namespace
metadata: {name: "y", labels: {team: b}}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec:
  containers:
  - name: c
    image: nginx
    ports:
    - {containerPort: 80, name: http}
    - {containerPort: 8080, name: alt}
    - {containerPort: 53, name: dns, protocol: UDP}
status: {podIP: 10.1.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: x, labels: {app: db}}
spec: {containers: [{name: c, image: pg, ports: [{containerPort: 5432, name: pg}]}]}
status: {podIP: 10.1.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: cli, namespace: x, labels: {app: cli, tier: fe}}
spec: {containers: [{name: c, image: busybox}]}
status: {podIP: 10.1.1.3}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: "y", labels: {app: web}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 8080, name: http}]}]}
status: {podIP: 10.2.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: mon, namespace: "y", labels: {role: monitor}}
spec: {containers: [{name: c, image: prom}]}
status: {podIP: 10.2.0.2}
"""


def engine(policies: str = "", dataplane: str = "calico") -> Engine:
    return Engine(load_string(PODS + ("---\n" + policies if policies else "")), dataplane)


def allowed(e: Engine, src: str, dst: str, port: int | None = 80, protocol: str = "TCP") -> bool:
    return e.verdict(src, dst, port, protocol).allowed


@pytest.fixture(params=["calico", "kubernetes"])
def dataplane(request):
    return request.param


# -- who is isolated ---------------------------------------------------------------------------
def test_no_policy_allows_everything(dataplane):
    e = engine(dataplane=dataplane)
    assert e.reachability(80).all()
    v = e.verdict("y/mon", "x/web", 80)
    assert "not isolated" in v.ingress.decision.text


DENY_X_INGRESS = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: x}
spec: {podSelector: {}, policyTypes: [Ingress]}
"""


def test_empty_pod_selector_selects_every_pod_of_its_own_namespace_only(dataplane):
    e = engine(DENY_X_INGRESS, dataplane)
    assert not allowed(e, "y/mon", "x/web") and not allowed(e, "y/mon", "x/db")
    assert allowed(e, "x/web", "y/web")  # y is not selected
    v = e.verdict("y/mon", "x/db", 80)
    assert [str(r) for r in v.ingress.isolated_by] == ["NetworkPolicy x/deny"]


def test_policy_types_default_is_ingress_plus_egress_only_when_egress_rules_exist(dataplane):
    egress_rules = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: e, namespace: x}
spec:
  podSelector: {matchLabels: {app: cli}}
  egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]
"""
    e = engine(egress_rules, dataplane)
    assert not allowed(e, "x/cli", "x/web")  # egress-isolated: only db allowed
    assert allowed(e, "x/cli", "x/db", 5432)
    assert not allowed(e, "y/mon", "x/cli")  # Ingress is always in the default types: ingress-isolated too
    no_egress_rules = egress_rules.replace("egress: [{to: [{podSelector: {matchLabels: {app: db}}}]}]", "egress: []")
    e = engine(no_egress_rules, dataplane)
    assert allowed(e, "x/cli", "x/web")  # egress: [] does not make Egress a default type


def test_rule_less_egress_deny_needs_policy_types_written_out(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: x}
spec: {podSelector: {}, policyTypes: [Egress]}
""", dataplane)
    assert not allowed(e, "x/cli", "y/web", 8080)
    assert allowed(e, "y/mon", "x/web")  # ingress untouched


def test_non_isolated_direction_allows_everything(dataplane):
    e = engine(DENY_X_INGRESS, dataplane)
    assert allowed(e, "x/web", "y/mon")  # x/web is ingress-isolated but not egress-isolated
    assert e.verdict("x/web", "y/mon", 80).egress.decision.kind == "default-allow"


def test_policies_combine_by_union(dataplane):
    e = engine(DENY_X_INGRESS + """---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-cli, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: cli}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-mon, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{namespaceSelector: {}, podSelector: {matchLabels: {role: monitor}}}]}]
""", dataplane)
    assert allowed(e, "x/cli", "x/web") and allowed(e, "y/mon", "x/web")
    assert not allowed(e, "x/db", "x/web")
    v = e.verdict("y/mon", "x/web", 80)
    assert v.ingress.decision.policy.name == "from-mon"
    assert {r.name for r in v.ingress.isolated_by} == {"deny", "from-cli", "from-mon"}


def test_connection_needs_both_egress_of_source_and_ingress_of_destination(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-in, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{podSelector: {matchLabels: {app: cli}}}]}]
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cli-out, namespace: x}
spec:
  podSelector: {matchLabels: {app: cli}}
  policyTypes: [Egress]
  egress: [{to: [{podSelector: {matchLabels: {app: web}}}]}]
""", dataplane)
    v = e.verdict("x/cli", "x/db", 5432)
    assert not v.allowed and v.ingress.allowed and not v.egress.allowed
    assert "egress" in v.summary


# -- rules ------------------------------------------------------------------------------------
def test_empty_rule_allows_all_peers_on_all_ports(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: all, namespace: x}
spec: {podSelector: {}, ingress: [{}]}
""", dataplane)
    assert allowed(e, "y/mon", "x/web", 80) and allowed(e, "y/mon", "x/web", 53, "UDP")
    assert allowed(e, "y/mon", "x/web", 9, "SCTP")


def test_absent_from_matches_addresses_outside_the_cluster(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web80, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 80}]}]
""", dataplane)
    v = e.verdict("203.0.113.9", "x/web", 80)
    assert v.allowed and not v.egress.enforced
    assert not allowed(e, "203.0.113.9", "x/web", 8080)


def test_absent_ports_means_every_port_and_protocol(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: cli, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: cli}}}]}]
""", dataplane)
    for port, proto in ((80, "TCP"), (53, "UDP"), (7, "SCTP"), (None, "ICMP")):
        assert allowed(e, "x/cli", "x/web", port, proto)
    assert not allowed(e, "x/db", "x/web", None, "ICMP")


# -- peers ------------------------------------------------------------------------------------
def test_pod_selector_peer_only_matches_the_policys_namespace(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-web, namespace: "y"}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: web}}}]}]
""", dataplane)
    assert not allowed(e, "x/web", "y/web", 8080)
    text = " ".join(c.text for c in e.verdict("x/web", "y/web", 8080).ingress.tiers[0].policies[0].rules[0].checks)
    assert "only selects pods in the policy's own namespace y" in text


def test_namespace_selector_peer_selects_all_pods_of_matching_namespaces(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-team-b, namespace: x}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {team: b}}}]}]
""", dataplane)
    assert allowed(e, "y/mon", "x/db", 5432) and allowed(e, "y/web", "x/db", 5432)
    assert not allowed(e, "x/cli", "x/db", 5432)


def test_empty_namespace_selector_is_every_namespace(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-all-ns, namespace: x}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {}}]}]
""", dataplane)
    assert allowed(e, "y/mon", "x/db") and allowed(e, "x/cli", "x/db")
    assert not allowed(e, "198.51.100.1", "x/db")  # but not addresses outside the cluster


def test_one_peer_with_both_selectors_is_and_two_peers_are_or(dataplane):
    one_peer = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: and, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {team: b}}
      podSelector: {matchLabels: {role: monitor}}
"""
    two_peers = one_peer.replace("      podSelector:", "    - podSelector:")
    e_and, e_or = engine(one_peer, dataplane), engine(two_peers, dataplane)
    assert allowed(e_and, "y/mon", "x/db") and not allowed(e_and, "y/web", "x/db")
    assert not allowed(e_and, "x/cli", "x/db")
    # OR: every pod of team=b namespaces, or role=monitor pods of the policy's own namespace x
    assert allowed(e_or, "y/web", "x/db") and allowed(e_or, "y/mon", "x/db")
    assert not allowed(e_or, "x/cli", "x/db")


def test_ip_block_matches_pod_ips_and_honours_except(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ipb, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress: [{from: [{ipBlock: {cidr: 10.1.0.0/16, except: [10.1.1.0/24]}}]}]
""", dataplane)
    assert allowed(e, "x/web", "x/db", 5432)  # 10.1.0.1
    assert not allowed(e, "x/cli", "x/db", 5432)  # 10.1.1.3 is in the except block
    assert not allowed(e, "y/mon", "x/db", 5432)  # 10.2.0.2 is outside
    assert allowed(e, "10.1.200.7", "x/db", 5432)  # an outside address inside the block
    text = e.verdict("x/cli", "x/db", 5432).ingress.tiers[0].policies[0].rules[0].checks[0].text
    assert "excluded by except 10.1.1.0/24" in text


# -- selectors --------------------------------------------------------------------------------
def test_not_in_and_does_not_exist_match_pods_without_the_key(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: expr, namespace: x}
spec:
  podSelector: {matchLabels: {app: db}}
  ingress:
  - from:
    - namespaceSelector: {}
      podSelector:
        matchExpressions:
        - {key: app, operator: NotIn, values: [web]}
        - {key: tier, operator: DoesNotExist}
""", dataplane)
    assert allowed(e, "y/mon", "x/db")  # no app label, no tier label
    assert not allowed(e, "x/web", "x/db") and not allowed(e, "x/cli", "x/db")  # app=web; tier=fe


def test_namespaces_carry_their_name_label(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: from-y, namespace: x}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: "y"}}}]}]
""", dataplane)
    assert allowed(e, "y/mon", "x/web") and not allowed(e, "x/cli", "x/web")


# -- ports ------------------------------------------------------------------------------------
PORTS_POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ports, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports:
    - port: 80
    - {protocol: UDP}
    - {protocol: TCP, port: 8000, endPort: 8080}
"""


def test_protocol_defaults_to_tcp_and_port_absent_means_every_port(dataplane):
    e = engine(PORTS_POLICY, dataplane)
    assert allowed(e, "x/cli", "x/web", 80, "TCP")
    assert not allowed(e, "x/cli", "x/web", 80, "SCTP")
    assert allowed(e, "x/cli", "x/web", 53, "UDP") and allowed(e, "x/cli", "x/web", 9999, "UDP")


def test_end_port_range_is_inclusive(dataplane):
    e = engine(PORTS_POLICY, dataplane)
    assert allowed(e, "x/cli", "x/web", 8000) and allowed(e, "x/cli", "x/web", 8080)
    assert not allowed(e, "x/cli", "x/web", 7999) and not allowed(e, "x/cli", "x/web", 8081)


def test_named_port_resolves_on_the_ingress_pod(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: http, namespace: x}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: http}]}]
""", dataplane)
    assert allowed(e, "x/cli", "x/web", 80) and not allowed(e, "x/cli", "x/web", 8080)
    rule = e.verdict("x/cli", "x/web", 8080).ingress.tiers[0].policies[0].rules[0]
    assert "resolves to TCP/80, not 8080" in rule.checks[0].text


def test_named_port_resolves_on_the_egress_peer_and_needs_its_protocol(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: x}
spec:
  podSelector: {matchLabels: {app: cli}}
  policyTypes: [Egress]
  egress:
  - to: [{namespaceSelector: {}}]
    ports: [{port: http}, {port: dns, protocol: UDP}]
""", dataplane)
    assert allowed(e, "x/cli", "x/web", 80) and allowed(e, "x/cli", "y/web", 8080)
    assert not allowed(e, "x/cli", "x/web", 8080) and not allowed(e, "x/cli", "y/web", 80)
    assert allowed(e, "x/cli", "x/web", 53, "UDP") and not allowed(e, "x/cli", "x/web", 53, "TCP")
    assert not allowed(e, "x/cli", "203.0.113.1", 80)


def test_named_port_never_matches_an_address_outside_the_cluster(dataplane):
    e = engine("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: out, namespace: x}
spec:
  podSelector: {matchLabels: {app: cli}}
  policyTypes: [Egress]
  egress: [{to: [{ipBlock: {cidr: 0.0.0.0/0}}], ports: [{port: http}]}]
""", dataplane)
    v = e.verdict("x/cli", "203.0.113.1", 80)
    assert not v.allowed
    assert "not a pod, so the name cannot be resolved" in v.egress.tiers[0].policies[0].rules[0].checks[1].text
    assert allowed(e, "x/cli", "x/web", 80)  # pods inside 0.0.0.0/0 still resolve it


# -- what NetworkPolicy does not govern ---------------------------------------------------------
def test_a_pod_connecting_to_itself_is_allowed_and_says_why(dataplane):
    e = engine(DENY_X_INGRESS, dataplane)
    v = e.verdict("x/web", "x/web", 80)
    assert v.allowed and "connecting to itself" in v.summary
    assert not v.ingress.allowed  # the policy alone would deny it, and the verdict says so
    assert any("self traffic" in n for n in v.notes)
    assert e.reachability(80)[e.pods.index("x/web"), e.pods.index("x/web")]

"""ClusterNetworkPolicy semantics (docs/semantics/clusternetworkpolicy.md): Admin → NetworkPolicy → Baseline → allow.

Same pods as the Calico tests: default/{web, frontend, sus, api}, other/{frontend, client}.
Both dataplanes enforce ClusterNetworkPolicy, so every test runs on both.
"""

from __future__ import annotations

import pytest

from npkit.engine import Engine
from npkit.loading import load_string
from tests.engine.test_calico_semantics import PODS, allowed, docs

pytest.importorskip("npkit.loading.cnp", reason="the ClusterNetworkPolicy loader has not landed yet")


def cnp(name: str, tier: str, priority: int, body: str) -> str:
    return (f"apiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {{name: {name}}}\n"
            f"spec:\n  tier: {tier}\n  priority: {priority}\n{body}")


SUBJECT_WEB = "  subject:\n    pods:\n      namespaceSelector: {}\n      podSelector: {matchLabels: {app: web}}\n"
FROM_OTHER = "    from: [{namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}]\n"
NP_ONLY_FRONTEND = """apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-frontend, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}]}]"""


@pytest.fixture(params=["calico", "kubernetes"])
def make(request):
    return lambda text: Engine(load_string(PODS + "---\n" + text), request.param)


def test_admin_deny_beats_a_networkpolicy_allow(make):
    e = make(docs(NP_ONLY_FRONTEND, cnp("deny-other", "Admin", 10, SUBJECT_WEB + "  ingress:\n  - action: Deny\n"
                                        "    from: [{pods: {namespaceSelector: {}, podSelector: {matchLabels: {app: frontend}}}}]\n")))
    assert not allowed(e, "default/frontend", "default/web")
    assert e.verdict("default/frontend", "default/web", 80).ingress.decision.policy.kind == "ClusterNetworkPolicy"


def test_admin_accept_overrides_networkpolicy_isolation(make):
    e = make(docs(NP_ONLY_FRONTEND, cnp("accept-other", "Admin", 10, SUBJECT_WEB + "  ingress:\n  - action: Accept\n" + FROM_OTHER)))
    assert allowed(e, "other/client", "default/web")  # NetworkPolicy alone would deny it
    assert not allowed(e, "default/api", "default/web")


def test_admin_pass_hands_over_to_networkpolicy(make):
    e = make(docs(NP_ONLY_FRONTEND,
                  cnp("pass-other", "Admin", 5, SUBJECT_WEB + "  ingress:\n  - action: Pass\n" + FROM_OTHER),
                  cnp("deny-other", "Admin", 10, SUBJECT_WEB + "  ingress:\n  - action: Deny\n" + FROM_OTHER)))
    # other/frontend: Pass skips deny-other, then the NetworkPolicy allows app=frontend of default only → denied
    assert not allowed(e, "other/frontend", "default/web")
    tiers = [t.outcome for t in e.verdict("other/frontend", "default/web", 80).ingress.tiers]
    assert tiers == ["pass", "end-of-tier-deny"]


def test_baseline_applies_only_where_no_networkpolicy_decides(make):
    baseline = cnp("baseline-deny", "Baseline", 0, "  subject: {namespaces: {}}\n  ingress:\n  - action: Deny\n" + FROM_OTHER)
    e = make(docs(NP_ONLY_FRONTEND, baseline))
    assert not allowed(e, "other/client", "default/api", 8080)  # api: no NetworkPolicy → Baseline denies
    assert allowed(e, "default/frontend", "default/api", 8080)  # Baseline has no rule for it → default allow
    assert allowed(e, "default/frontend", "default/web")  # web: the NetworkPolicy decides, Baseline never runs
    assert not allowed(e, "other/client", "default/web")


def test_networkpolicy_finality_is_per_direction(make):
    # web's NetworkPolicy is Ingress-only, so web's egress still reaches the Baseline tier.
    baseline = cnp("no-egress", "Baseline", 0, SUBJECT_WEB + "  egress:\n  - action: Deny\n"
                   "    to: [{namespaces: {}}]\n")
    e = make(docs(NP_ONLY_FRONTEND, baseline))
    assert not allowed(e, "default/web", "default/api", 8080)


def test_lower_priority_number_runs_first(make):
    deny = cnp("b-deny", "Admin", 20, SUBJECT_WEB + "  ingress:\n  - action: Deny\n" + FROM_OTHER)
    accept = cnp("a-accept", "Admin", 10, SUBJECT_WEB + "  ingress:\n  - action: Accept\n" + FROM_OTHER)
    assert allowed(make(docs(deny, accept)), "other/client", "default/web")
    assert not allowed(make(docs(deny, accept.replace("priority: 10", "priority: 30"))), "other/client", "default/web")


def test_egress_accept_still_needs_ingress_at_the_destination(make):
    accept_out = cnp("out", "Admin", 1, "  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}\n"
                     "  egress:\n  - action: Accept\n    to: [{namespaces: {}}]\n")
    e = make(docs(NP_ONLY_FRONTEND, accept_out))
    v = e.verdict("other/client", "default/web", 80)
    assert v.egress.allowed and not v.ingress.allowed and not v.allowed


def test_networks_peers_match_pod_addresses_and_named_ports_resolve(make):
    e = make(cnp("to-net", "Admin", 1, "  subject: {namespaces: {matchLabels: {kubernetes.io/metadata.name: other}}}\n"
                 "  egress:\n  - action: Deny\n    to: [{networks: [10.0.0.0/30]}]\n"
                 "  - action: Deny\n    to: [{namespaces: {}}]\n    protocols: [{destinationNamedPort: http}]\n"))
    assert not allowed(e, "other/client", "default/frontend", 443)  # 10.0.0.2 is inside 10.0.0.0/30
    assert not allowed(e, "other/client", "default/sus", 443)  # 10.0.0.3: the last address of the /30
    assert allowed(e, "other/client", "default/api", 443)  # 10.0.0.4 is outside, and 443 is not its http port
    assert not allowed(e, "other/client", "default/api", 8080)  # named port http on api
    assert allowed(e, "other/client", "default/api", 8081)


def test_nodes_peers_match_node_addresses_or_fail_closed_as_each_dataplane_does(make):
    deny_nodes = cnp("deny-nodes", "Admin", 1, SUBJECT_WEB.replace("ingress", "egress") +
                     "  egress:\n  - action: Deny\n    to: [{nodes: {}}]\n")
    accept_nodes = deny_nodes.replace("action: Deny", "action: Accept").replace("deny-nodes", "accept-nodes")
    e = make(deny_nodes)
    # Calico 3.32 fails closed (Deny all); kube-network-policies matches node addresses, and none is loaded.
    assert allowed(e, "default/web", "default/api", 8080) is (e.dataplane == "kubernetes")
    e = make(docs(accept_nodes, cnp("deny-rest", "Admin", 2, SUBJECT_WEB + "  egress:\n  - action: Deny\n"
                                    "    to: [{namespaces: {}}]\n")))
    assert not allowed(e, "default/web", "default/api", 8080)  # Accept matches nothing either way: deny-rest decides

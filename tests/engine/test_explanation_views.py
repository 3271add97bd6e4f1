"""Kubernetes words until Calico is taught: the view explanations are written in, and what never changes.

With only Kubernetes objects loaded, text and HTML speak of isolation and of the policy and rule
that allowed; tiers with orders, namespace profiles and the dataplane tag appear once Calico
objects are loaded (or view="calico" asks for them). The verdict and its decisive content (which
policy and rule decided, every condition's check) are the same in both.
"""

from __future__ import annotations

import re

import pytest

from npkit.cli.main import main
from npkit.engine import Engine
from npkit.explain import render_verdict, verdict_to_json
from npkit.explain.html import render_verdict_html
from npkit.loading import load_string

K8S = """\
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: x, labels: {app: a}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: b, namespace: "y", labels: {app: b}}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: "y"}
spec:
  podSelector: {}
  ingress: [{from: [{namespaceSelector: {}}], ports: [{port: 80}]}]
"""
CALICO = K8S + """\
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: log-all}
spec: {order: 10, selector: all(), types: [Ingress], ingress: [{action: Log}]}
"""
CALICO_WORDS = ("kns.", "tier default", "order 1,000", "[dataplane: calico]", "profile", "default action")
PROBES = [("x/a", "y/b", 80), ("x/a", "y/b", 81), ("y/b", "x/a", 80)]


def html_text(verdict) -> str:
    return re.sub(r"<[^>]+>", " ", render_verdict_html(verdict))


@pytest.mark.parametrize("src, dst, port", PROBES)
def test_a_kubernetes_only_cluster_is_explained_in_kubernetes_words(src, dst, port):
    v = Engine(load_string(K8S)).verdict(src, dst, port)
    assert v.view == "kubernetes"
    for text in (render_verdict(v), html_text(v)):
        assert not [w for w in CALICO_WORDS if w in text], text


def test_kubernetes_words_say_isolated_and_which_policy_and_rule_allowed():
    e = Engine(load_string(K8S))
    allowed = render_verdict(e.verdict("x/a", "y/b", 80))
    assert "allowed by NetworkPolicy y/web spec.ingress[0]" in allowed
    denied = render_verdict(e.verdict("x/a", "y/b", 81))
    assert "NetworkPolicies\n    NetworkPolicy y/web: no rule matched\n      spec.ingress[0]: does not match" in denied
    assert "the pod is isolated, so the connection is denied" in denied
    assert "no policy selects x/a for egress, so it is not isolated" in denied


def test_calico_objects_bring_the_calico_view():
    v = Engine(load_string(CALICO)).verdict("x/a", "y/b", 81)
    assert v.view == "calico"
    text = render_verdict(v)
    assert "[dataplane: calico]" in text and "tier default (order 1,000,000, default action Deny)" in text
    assert "NetworkPolicy y/web (order 1,000)" in text and "spec.ingress[0] Allow: does not match" in text
    assert "[dataplane: calico]" in html_text(v)


def test_the_calico_view_can_be_asked_for_and_the_kubernetes_view_forced():
    asked = Engine(load_string(K8S), view="calico").verdict("y/b", "x/a", 80)
    assert "namespace profile kns.y allows" in render_verdict(asked)
    forced = Engine(load_string(CALICO), view="kubernetes").verdict("x/a", "y/b", 81)
    assert not [w for w in CALICO_WORDS if w in render_verdict(forced)]
    assert "tier default" not in html_text(forced)


def test_calico_objects_on_the_kubernetes_dataplane_keep_kubernetes_words():
    assert Engine(load_string(CALICO), "kubernetes").view == "kubernetes"


@pytest.mark.parametrize("src, dst, port", PROBES)
def test_both_views_keep_the_decisive_content(src, dst, port):
    k8s = Engine(load_string(K8S), view="kubernetes").verdict(src, dst, port)
    calico = Engine(load_string(K8S), view="calico").verdict(src, dst, port)
    assert k8s.allowed == calico.allowed
    for a, b in ((k8s.egress, calico.egress), (k8s.ingress, calico.ingress)):
        assert (a.decision.kind, a.decision.policy, a.decision.rule) == (b.decision.kind, b.decision.policy,
                                                                         b.decision.rule)
        checks = [[c.text for r in p.rules for c in r.checks] for t in a.tiers for p in t.policies]
        assert checks == [[c.text for r in p.rules for c in r.checks] for t in b.tiers for p in t.policies]
    assert verdict_to_json(k8s)["view"] == "kubernetes" and verdict_to_json(calico)["view"] == "calico"


def test_cluster_network_policies_keep_their_own_words_and_priorities():
    cnp = ("---\napiVersion: policy.networking.k8s.io/v1alpha2\nkind: ClusterNetworkPolicy\nmetadata: {name: c}\n"
           "spec:\n  tier: Admin\n  priority: 7\n  subject: {namespaces: {}}\n"
           "  ingress: [{action: Pass, from: [{namespaces: {}}]}]\n")
    text = render_verdict(Engine(load_string(K8S + cnp)).verdict("x/a", "y/b", 81))
    assert "Admin tier (ClusterNetworkPolicy)" in text and "ClusterNetworkPolicy c (priority 7): passes" in text
    assert "NetworkPolicy tier" in text and "spec.ingress[0] Pass: matches" in text
    assert not [w for w in CALICO_WORDS if w in text]


def test_the_cli_view_defaults_to_auto_and_can_be_chosen(tmp_path, capsys):
    path = tmp_path / "k8s.yaml"
    path.write_text(K8S)
    args = ["explain", "-f", str(path), "--from", "x/a", "--to", "y/b", "--port", "81"]
    assert main(args) == 0
    assert "kns." not in capsys.readouterr().out
    assert main(args + ["--view", "calico"]) == 0
    assert "tier default (order 1,000,000" in capsys.readouterr().out

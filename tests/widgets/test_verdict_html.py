"""The HTML explanation renders the same trace as the text one: every line of text appears in it."""

from __future__ import annotations

import re
from html import unescape

import pytest

from npkit.course import model_cluster
from npkit.engine import Engine
from npkit.explain import render_verdict
from npkit.explain.html import render_verdict_html
from npkit.loading import load_string

POLICIES = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {name: x}}
      podSelector: {matchLabels: {app: a}}
    ports:
    - {protocol: TCP, port: 80}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: log-all}
spec:
  order: 10
  selector: all()
  types: [Ingress]
  ingress:
  - action: Log
"""


def _plain(html: str) -> str:
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.mark.parametrize("src, dst", [("x/a", "default/web"), ("y/a", "default/web"), ("x/a", "x/a"),
                                      ("1.2.3.4", "default/web"), ("default/web", "y/b")])
def test_every_line_of_the_text_explanation_is_in_the_html(src, dst):
    verdict = Engine(model_cluster("and-or").merged(load_string(POLICIES))).verdict(src, dst, 80)
    plain = _plain(render_verdict_html(verdict))
    lines = [" ".join(line.split()) for line in render_verdict(verdict).splitlines() if line.strip()]
    assert len(lines) > 3
    missing = [line for line in lines if line not in plain]
    assert not missing


SKIPPED_TIER = POLICIES + """---
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: only-y}
spec:
  tier: security
  selector: app == 'b'
  namespaceSelector: name == 'y'
  ingress: [{action: Allow}]
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: admin-y}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {matchLabels: {name: "y"}}}
  ingress: [{action: Pass, from: [{namespaces: {}}]}]
"""


@pytest.mark.parametrize("dataplane", ["calico", "kubernetes"])
def test_skipped_tiers_and_the_dataplane_read_the_same_in_html_and_text(dataplane):
    verdict = Engine(model_cluster("and-or").merged(load_string(SKIPPED_TIER)), dataplane).verdict(
        "x/a", "default/web", 80)
    assert any(t.outcome == "skipped" for t in verdict.ingress.tiers)
    plain = _plain(render_verdict_html(verdict))
    lines = [" ".join(line.split()) for line in render_verdict(verdict).splitlines() if line.strip()]
    assert [line for line in lines if line not in plain] == []
    assert ("order 1,000,000" in plain) == (dataplane == "calico")

"""The engine helper the shadowing rules rely on: Engine.rule_masks gives the cells a rule matches."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings

from npkit.engine import Endpoint, Engine, Probe, Traffic
from npkit.engine.evaluate import run_rule
from npkit.loading import load_string

from ..strategies import clusters
from .conftest import CLUSTER
from .test_order import calico


def test_local_and_remote_masks_for_a_calico_rule():
    text = calico("x", "  order: 1\n  selector: all()\n  ingress:\n  - action: Deny\n"
                       "    protocol: TCP\n    source: {selector: app == 'frontend'}\n")
    e = Engine(load_string(CLUSTER + "---\n" + text))
    [policy] = e.program.policies
    rule = policy.ingress[0]
    outside = (Endpoint("8.8.8.8", "8.8.8.8"),)
    local, remote = e.rule_masks(rule, "Ingress", Traffic("TCP", 80), outside)
    assert local.all()  # nothing about the destination: every pod
    assert [e.pods[i] for i in np.flatnonzero(remote[:-1])] == ["app/frontend"] and not remote[-1]
    local, _ = e.rule_masks(rule, "Ingress", Traffic("UDP", 53))
    assert not local.any()  # protocol TCP: no cell for UDP


@settings(max_examples=30, deadline=None)
@given(clusters())
def test_rule_masks_agree_with_the_per_probe_evaluation(cluster):
    e = Engine(cluster)
    outside = (Endpoint("10.1.1.2", "10.1.1.2"), Endpoint("192.168.3.4", "192.168.3.4"))
    traffic = Traffic("TCP", 80)
    for policy in e.program.policies:
        for direction in ("Ingress", "Egress"):
            for rule in policy.rules(direction):
                local, remote = e.rule_masks(rule, direction, traffic, outside)
                for i in range(len(e.pods)):
                    for j, other in enumerate(list(e.universe.pods) + list(outside)):
                        here = e.universe.pod_endpoint(i)
                        there = e.universe.pod_endpoint(j) if j < len(e.pods) else other
                        src, dst = (here, there) if direction == "Egress" else (there, here)
                        matched = run_rule(rule, Probe(src, dst, traffic), e.universe).matched
                        assert matched == (local[i] and remote[j]), (policy.ref, rule.path, src, dst)

"""Semantic diffs: probes that tell every port entry apart, the two worlds, and the rendering."""

from __future__ import annotations

import json

import pytest

from npkit.diff import (
    before_and_after,
    compare,
    comparison_html,
    comparison_to_json,
    probe_ports,
    probe_traffic,
    render_comparison,
    representative_ports,
)
from npkit.engine import Engine
from npkit.loading import load_string

from ..lint.conftest import CLUSTER

PODS = load_string(CLUSTER, "pods.yaml")


def policy(spec: str, name: str = "allow-ingress-to-backend") -> str:
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: {name}, namespace: app}}\n"
            f"spec:\n  podSelector: {{matchLabels: {{app: backend}}}}\n  policyTypes: [Ingress]\n{spec}")


FRONTEND_8080 = policy("  ingress:\n  - from: [{podSelector: {matchLabels: {app: frontend}}}]\n    ports: [{port: 8080}]\n")


def diff(old: str, new: str, probes=None):
    before, after = before_and_after(PODS.merged(load_string(old, "old.yaml")), load_string(new, "new.yaml"))
    return compare(Engine(before), Engine(after), probes or probe_ports([before, after]))


# -- equivalent despite different YAML -----------------------------------------------------------
@pytest.mark.parametrize("rewrite", [
    # matchExpressions In with one value instead of matchLabels
    FRONTEND_8080.replace("{matchLabels: {app: frontend}}", "{matchExpressions: [{key: app, operator: In, values: [frontend]}]}"),
    # the named port that the backend resolves to 8080
    FRONTEND_8080.replace("port: 8080", "port: http"),
    # protocol TCP written out, and the range 8080-8080
    FRONTEND_8080.replace("{port: 8080}", "{protocol: TCP, port: 8080, endPort: 8080}"),
    # the same rule split over two policies, one of them selecting by a different label form
    FRONTEND_8080.replace("allow-ingress-to-backend", "a") + "---\n" + FRONTEND_8080.replace("allow-ingress-to-backend", "b"),
])
def test_equivalent_despite_different_yaml(rewrite):
    c = diff(FRONTEND_8080, rewrite)
    assert c.equivalent and c.summary().startswith("equivalent: all ")


def test_a_real_change_is_found_with_both_explanations():
    wider = FRONTEND_8080.replace("ports: [{port: 8080}]", "ports: [{port: 8080}, {port: 9090}]")
    c = diff(FRONTEND_8080, wider.replace("{app: frontend}", "{app: db}"))
    assert [ch.label for ch in c.newly_allowed] == ["app/db → app/backend TCP/8080", "app/db → app/backend TCP/9090"]
    assert [ch.label for ch in c.newly_denied] == ["app/frontend → app/backend TCP/8080"]
    text = render_comparison(c)
    assert text.splitlines()[0] == c.summary() == "2 newly allowed, 1 newly denied (of " + text.split("(of ")[1].split("\n")[0]
    assert "    before: DENIED\n      egress of app/db: allowed" in text
    assert "      ingress of app/backend: allowed by NetworkPolicy app/allow-ingress-to-backend spec.ingress[0]" in text


def test_default_probes_see_ports_no_policy_names():
    # Old allows every port; new only 8080. The difference is on ports neither side names.
    every = FRONTEND_8080.replace("\n    ports: [{port: 8080}]", "")
    c = diff(every, FRONTEND_8080)
    ports = {(ch.port, ch.protocol) for ch in c.newly_denied}
    assert (8080, "TCP") not in ports and (80, "TCP") in ports and (53, "UDP") in ports and (None, "ICMP") in ports


def test_a_policy_missing_from_new_is_deleted_and_pods_come_from_both_sides():
    before, after = before_and_after(PODS.merged(load_string(FRONTEND_8080)), load_string(""))
    assert len(before.network_policies) == 1 and not after.network_policies
    assert [p.key for p in after.pods] == [p.key for p in before.pods]
    c = compare(Engine(before), Engine(after), [(8080, "TCP")])
    assert {ch.src for ch in c.newly_allowed} == {"app/db", "monitoring/prometheus", "kube-system/coredns"}


def test_pods_given_only_with_the_new_side_are_on_both_sides():
    before, after = before_and_after(load_string(FRONTEND_8080), PODS.merged(load_string("")))
    assert [p.key for p in before.pods] == [p.key for p in after.pods] != []
    c = compare(Engine(before), Engine(after), [(8080, "TCP")])
    assert "app/db" in {ch.src for ch in c.newly_allowed}


def test_json_has_summary_probes_and_both_verdicts():
    c = diff(FRONTEND_8080, FRONTEND_8080.replace("8080", "9090"), [(8080, "TCP"), (9090, "TCP")])
    doc = comparison_to_json(c)
    json.dumps(doc)
    assert doc["summary"] == c.summary() and doc["equivalent"] is False
    assert doc["probes"] == [{"port": 8080, "protocol": "TCP"}, {"port": 9090, "protocol": "TCP"}]
    [gone] = doc["newly_denied"]
    assert (gone["from"], gone["to"], gone["port"]) == ("app/frontend", "app/backend", 8080)
    assert gone["before"]["allowed"] and not gone["after"]["allowed"]
    assert gone["after"]["ingress"]["decision"]["kind"] == "end-of-tier"


def test_html_lists_changes_and_says_equivalent():
    c = diff(FRONTEND_8080, FRONTEND_8080.replace("8080", "9090"), [(8080, "TCP")])
    assert "denied now" in comparison_html(c) and "app/frontend → app/backend TCP/8080" in comparison_html(c)
    assert "equivalent" in comparison_html(diff(FRONTEND_8080, FRONTEND_8080))


# -- probes -------------------------------------------------------------------------------------
def test_representative_ports_cover_each_range_once_and_prefer_familiar_ports():
    ranged = load_string(policy("  ingress:\n  - ports: [{port: 32000, endPort: 32768}]\n"))
    # one port before the range, one inside, one after: familiar ones where the interval has one
    assert representative_ports([ranged]) == (80, 32000, 65535)
    # with the pods' ports: each container port alone, and one port for each gap between them
    assert representative_ports([PODS, ranged]) == (22, 53, 54, 80, 443, 5432, 5433, 8080, 8443, 9090, 9091,
                                                    32000, 65535)


def test_probe_traffic_has_icmp_types_rules_name():
    gnp = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-ingress-ping}
spec:
  order: 1
  selector: all()
  ingress:
  - {action: Allow, protocol: ICMP, icmp: {type: 0}}
"""
    traffic = probe_traffic([load_string(gnp)])
    assert {(t.icmp_type, t.icmp_code) for t in traffic if t.protocol == "ICMP"} == {(0, None), (8, 0)}
    assert {t.protocol for t in traffic} == {"TCP", "UDP", "ICMP"}

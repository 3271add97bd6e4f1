"""Observed beside predicted: what counts as allowed, the JSON shape, the marks."""

import json

import numpy as np

from npkit.cli.main import main
from npkit.engine import Engine
from npkit.lab.backend import ProbeRequest, ProbeResult
from npkit.lab.compare import LabComparison, observed_allowed, observed_matrix
from npkit.loading import load_string
from npkit.matrix import reachability

YAML = """
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 80}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: x}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
"""
CLUSTER = load_string(YAML)


def result(src, dst, outcome):
    return ProbeResult(ProbeRequest(src, dst, 80), outcome)


def test_refused_by_a_pod_that_does_not_listen_means_policy_let_it_through():
    assert observed_allowed(result("x/web", "x/client", "REFUSED"), CLUSTER)
    assert not observed_allowed(result("x/client", "x/web", "REFUSED"), CLUSTER)  # web listens on 80
    assert not observed_allowed(result("x/web", "x/client", "TIMEOUT"), CLUSTER)
    assert observed_allowed(result("x/client", "x/web", "CONNECTED"), CLUSTER)


def comparison(outcomes):
    engine = Engine(CLUSTER)
    predicted = reachability(engine, 80)
    results = tuple(result(s, d, outcomes[(s, d)]) for s in predicted.pods for d in predicted.pods)
    return LabComparison(predicted, observed_matrix(predicted, results, CLUSTER), results, engine, "sim", "calico")


TRUTH = {("x/client", "x/client"): "REFUSED", ("x/client", "x/web"): "TIMEOUT",
         ("x/web", "x/client"): "REFUSED", ("x/web", "x/web"): "CONNECTED"}


def test_agreeing_observation_has_no_mismatches():
    c = comparison(TRUTH)
    assert c.agree and c.mismatches == [] and "all 4 observed connections match" in c.summary()


def test_a_mismatch_is_marked_and_explained_by_the_engine():
    c = comparison({**TRUTH, ("x/client", "x/web"): "CONNECTED"})
    assert not c.agree
    (m,) = c.mismatches
    assert (m.src, m.dst, m.predicted, m.observed, m.outcome) == ("x/client", "x/web", False, True, "CONNECTED")
    assert "NetworkPolicy x/deny" in m.explanation  # the engine's reason for its prediction
    text = c.render_text()
    assert "x/client → x/web: predicted denied, observed allowed [CONNECTED, 1 attempt]" in text
    client_row = [line for line in text.splitlines() if line.startswith("x/client")][0]
    assert client_row.split("x/client")[-1].strip() == "│ ✓       ✓!"  # the mark is on the observed side
    assert "background:#f8d7da" in c._repr_html_()


def test_json_is_the_npkit_matrix_shape_plus_mismatches(capsys, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(YAML)
    assert main(["matrix", "-f", str(path), "-o", "json"]) == 0
    matrix_json = json.loads(capsys.readouterr().out)
    doc = comparison({**TRUTH, ("x/client", "x/web"): "CONNECTED"}).to_json()
    assert set(matrix_json) <= set(doc)
    assert set(doc) - set(matrix_json) == {"backend", "observed", "mismatches", "enforced_by"}
    assert doc["allowed"]["x/client"]["x/web"] is True  # the OBSERVED answer
    assert matrix_json["allowed"]["x/client"]["x/web"] is False
    assert doc["mismatches"] == [{"src": "x/client", "dst": "x/web", "predicted": False, "observed": True,
                                  "outcome": "CONNECTED", "detail": "", "attempts": 1}]


def test_prediction_only_is_labelled_as_such():
    engine = Engine(CLUSTER)
    c = LabComparison(reachability(engine, 80), None, (), engine, "predict", "calico")
    assert c.agree and not c.observes and c.to_json()["observed"] is False
    assert "(predicted, not observed)" in c.render_text()
    assert "predicted, not observed" in c._repr_html_()
    assert not np.any(c.mismatch_mask)


GNP = """
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress]}
"""


def on(backend, dataplane, cluster):
    engine = Engine(cluster)
    predicted = reachability(engine, 80)
    return LabComparison(predicted, predicted, (), engine, backend, dataplane)


def test_a_calico_scenario_on_the_local_backend_says_it_was_not_observed_on_felix():
    calico = on("local", "calico", load_string(YAML + "---" + GNP))
    words = "observed on npkit's nftables rendering of Calico's rules, enforced by the kernel — not on Felix"
    assert words in calico.render_text()
    assert words in calico._repr_html_().replace("&#x27;", "'")
    assert calico.to_json()["enforced_by"].startswith(words)
    assert calico.provenance.not_on_calico


def test_kubernetes_scenarios_say_which_truth_they_rest_on():
    local = on("local", "calico", CLUSTER).render_text()
    assert "not on Felix" not in local and "upstream e2e NetworkPolicy truth tables" in local
    assert "enforced by Calico (Felix)" in on("kind", "calico", CLUSTER).render_text()
    kindnet = on("kind", "kubernetes", CLUSTER).render_text()
    assert "kindnet (kube-network-policies" in kindnet and "upstream e2e NetworkPolicy truth tables" in kindnet
    engine = Engine(CLUSTER)
    predicted = LabComparison(reachability(engine, 80), None, (), engine, "predict", "calico")
    assert "PREDICTED, NOT OBSERVED" in predicted.render_text() and predicted.to_json()["observed"] is False

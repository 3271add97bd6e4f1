"""`npkit lab … --backend local` as a learner or CI types it (a separate process each time)."""

import json
import re
import subprocess
import sys

from npkit.lab.backends.local import lab_name, naming
from npkit.lab.backends.local.system import list_netns

from .support import lab_id, requires_netns

pytestmark = requires_netns

CASE = """\
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: web, image: agnhost, ports: [{containerPort: 80, name: http}, {containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.30.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: shop, labels: {app: client}}
spec: {containers: [{name: client, image: agnhost, ports: [{containerPort: 80}]}]}
status: {podIP: 10.30.0.2}
---
apiVersion: v1
kind: Pod
metadata: {name: stranger, namespace: shop, labels: {app: stranger}}
spec: {containers: [{name: s, image: agnhost, ports: [{containerPort: 80}]}]}
status: {podIP: 10.30.0.3}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web-from-client, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from: [{podSelector: {matchLabels: {app: client}}}]
    ports: [{port: http}]
"""


def npkit(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "npkit.cli.main", *args], capture_output=True, text=True, timeout=120)


def test_lab_run_prints_the_observed_matrix_in_the_matrix_shape_then_rules_status_and_down(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(CASE)
    name = lab_id("cli")
    run = npkit("lab", "run", "-f", str(case), "--backend", "local", "--port", "80", "--port", "53/UDP",
                "-o", "json", "--lab-id", name, "--timeout", "0.5", "--keep")
    assert run.returncode == 0, run.stderr
    observed = json.loads(run.stdout)["probes"]
    predicted = json.loads(npkit("matrix", "-f", str(case), "--port", "80", "--port", "53/UDP", "-o", "json").stdout)
    for seen, expected in zip(observed, predicted["probes"], strict=True):
        assert seen["observed"] is True and seen["backend"] == "local" and seen["mismatches"] == []
        assert {k: seen[k] for k in ("port", "protocol", "pods", "allowed")} == \
            {k: expected[k] for k in ("port", "protocol", "pods", "allowed")}
    assert observed[0]["allowed"]["shop/stranger"]["shop/web"] is False  # the policy really isolates web
    assert "enforcement canary passed" in run.stderr

    rules = npkit("lab", "rules", "shop/web", "--backend", "local", "--lab-id", name)
    assert rules.returncode == 0, rules.stderr
    assert 'comment "NetworkPolicy shop/web-from-client spec.ingress[0]: Allow"' in rules.stdout
    status = npkit("lab", "status", "--backend", "local")
    assert status.returncode == 0, status.stderr
    assert re.search(rf"^- {name}: kept \(npkit lab run --keep\), \d+ s old; node namespace "
                     rf"npk-{name}.node, 3 pod\(s\), 1 policy$", status.stdout, re.M), status.stdout

    prefix = naming.netns_prefix(lab_name(name))
    assert any(n.startswith(prefix) for n in list_netns())  # --keep kept it
    for _ in range(2):  # idempotent
        clean = npkit("lab", "clean", "--backend", "local", "--lab-id", name)
        assert clean.returncode == 0, clean.stderr
        assert not any(n.startswith(prefix) for n in list_netns())
    assert clean.stdout.strip() == f"lab {name}: nothing of it is left on this machine"


def test_status_lists_every_lab_with_its_age_and_clean_tells_the_truth_about_the_node(tmp_path):
    case = tmp_path / "case.yaml"
    case.write_text(CASE)
    name = lab_id("truth")
    up = npkit("lab", "up", "--backend", "local", "--lab-id", name)  # a node namespace made by `up` stays ...
    assert up.returncode == 0, up.stderr
    run = npkit("lab", "run", "-f", str(case), "--backend", "local", "--lab-id", name, "--no-canary")
    assert run.returncode == 0, run.stderr
    node = naming.node_netns(lab_name(name))
    assert node in list_netns()  # ... after the run: only its pods went
    status = npkit("lab", "status", "--backend", "local").stdout
    assert re.search(rf"^- {name}: up \(npkit lab up\), idle, \d+ s old; node namespace {node}, 0 pod", status,
                     re.M), status
    clean = npkit("lab", "clean", "--backend", "local", "--lab-id", name)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.strip() == (f"lab {name}: removed network namespace {node}, state directory "
                                    f"/run/npkit/{lab_name(name)}; nothing of it is left on this machine")
    assert node not in list_netns() and name not in npkit("lab", "status", "--backend", "local").stdout


def test_lab_rules_for_a_lab_that_is_not_up_is_an_environment_error():
    result = npkit("lab", "rules", "shop/web", "--backend", "local", "--lab-id", lab_id("none"))
    assert result.returncode == 69  # LabError: npkit.errors.EXIT_ENVIRONMENT
    assert "is not up" in result.stderr and "Traceback" not in result.stderr

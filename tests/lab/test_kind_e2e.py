"""End to end on a real kind cluster: up, canary, deploy, apply, probe, compare, down.

Runs only with NPKIT_TEST_KIND=1 and a working container runtime (`docker info`); otherwise it
is skipped and says why. It takes several minutes (cluster creation and the Calico install).
Set NPKIT_TEST_KIND_KEEP=1 to keep the cluster afterwards (faster re-runs).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from npkit.lab.backend import LabError
from npkit.lab.backends.kind import KindBackend
from npkit.lab.config import KindConfig
from npkit.lab.progress import TerminalProgress
from npkit.lab.session import LabSession
from npkit.loading import load_string

SCENARIOS = Path(__file__).resolve().parents[2] / "labs" / "scenarios"
CLUSTER = os.environ.get("NPKIT_TEST_KIND_CLUSTER", "npkit-e2e")


def _skip_reason() -> str | None:
    if os.environ.get("NPKIT_TEST_KIND") != "1":
        return "end-to-end kind test: set NPKIT_TEST_KIND=1 to run it (needs docker, kind, kubectl, network)"
    docker = shutil.which("docker")
    if docker is None:
        return "end-to-end kind test: docker is not installed"
    if subprocess.run([docker, "info"], capture_output=True, timeout=30).returncode != 0:
        return "end-to-end kind test: `docker info` fails (no running container engine)"
    for tool in ("kind", "kubectl"):
        if shutil.which(tool) is None:
            return f"end-to-end kind test: {tool} is not installed"
    return None


REASON = _skip_reason()
pytestmark = [pytest.mark.kind, pytest.mark.skipif(REASON is not None, reason=REASON or "")]


@pytest.fixture(scope="module")
def cluster():
    backend = KindBackend(KindConfig(cluster=CLUSTER, cni="calico", lab_id="e2e"))
    progress = TerminalProgress()
    backend.up(progress)
    assert backend.usable() == []
    backend.up(progress)  # a second `up` reuses the cluster it made
    assert backend.cni == "calico"
    yield backend
    if os.environ.get("NPKIT_TEST_KIND_KEEP") != "1":
        backend.down(progress)
        backend.down(progress)  # idempotent


def _lab(backend, lab_id, scenario):
    backend.lab_id = lab_id
    return LabSession(lab_id, SCENARIOS / scenario, backend, progress=TerminalProgress())


def test_lab_1_default_deny(cluster):
    with _lab(cluster, "lab-01", "lab-01-policy-test.yaml") as lab:
        assert lab.canary().ran
        lab.deploy()
        assert all(p.ip and not p.ip_assigned for p in lab.deployed.pods)
        assert lab.check(80).agree  # 8 parallel execs ...
        lab.apply(SCENARIOS / "lab-01-default-deny.yaml")  # ... then plain requests on the same client
        result = lab.check(80)
        assert result.agree, result.render_text()
        denied = result.result("policy-test/client", "policy-test/web")
        assert denied.outcome == "TIMEOUT"  # a policy drop, not a refusal


def test_lab_2_allow_frontend(cluster):
    with _lab(cluster, "lab-02", "lab-02-np-demo.yaml") as lab:
        lab.deploy()
        lab.apply(SCENARIOS / "lab-02-allow-frontend.yaml")
        for port in (80, 8080):
            result = lab.check(port)
            assert result.agree, result.render_text()


def test_lab_3_calico_tiers(cluster):
    with _lab(cluster, "lab-03", "lab-03-shop.yaml") as lab:
        lab.deploy()
        for step in ("lab-03-security-tier.yaml", "lab-03-security-tier-fixed.yaml",
                     "lab-03-explicit-deny-with-log.yaml", "lab-03-deny-external-egress.yaml",
                     "lab-03-deny-external-egress-fixed.yaml"):
            lab.apply(SCENARIOS / step)
            result = lab.check(80)
            assert result.agree, f"{step}\n{result.render_text()}"


def test_lab_4_debugging(cluster):
    with _lab(cluster, "lab-04", "lab-04-debug.yaml") as lab:
        lab.deploy()
        for step in ("lab-04-allow-client-to-web.yaml", "lab-04-log-denied.yaml", "lab-04-log-denied-pass.yaml",
                     "lab-04-log-denied-fixed.yaml"):
            lab.apply(SCENARIOS / step)
            result = lab.check(80)
            assert result.agree, f"{step}\n{result.render_text()}"
        assert "cali-tw-" in lab.rules("debug/web")
        lab.logs()  # reads the shared kernel log once; lines need nf_log_all_netns=1 on the host


def test_objects_the_lab_did_not_create_are_never_taken_over(cluster):
    cluster.lab_id = "e2e-foreign"
    kube = cluster.kube
    theirs = {"apiVersion": "projectcalico.org/v3", "kind": "GlobalNetworkSet",
              "metadata": {"name": "npkit-e2e-admins"}, "spec": {"nets": ["203.0.113.0/24"]}}
    kube.create(theirs)
    try:
        scenario = load_string("""
apiVersion: v1
kind: Pod
metadata: {name: a, namespace: e2e-foreign}
spec: {containers: [{name: c, image: x}]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: npkit-e2e-admins}
spec: {nets: [0.0.0.0/0]}
""")
        with pytest.raises(LabError, match="GlobalNetworkSet npkit-e2e-admins already exists"):
            cluster.deploy(scenario)
        cluster.teardown()
        live = kube.get("projectcalico.org/v3", "GlobalNetworkSet", "npkit-e2e-admins")
        assert live["spec"]["nets"] == ["203.0.113.0/24"] and "npkit.io/lab" not in (live["metadata"].get("labels") or {})
    finally:
        kube.delete("projectcalico.org/v3", "GlobalNetworkSet", "npkit-e2e-admins")


def test_teardown_left_nothing(cluster):
    assert cluster.labs() == []
    for kind in ("GlobalNetworkPolicy", "GlobalNetworkSet", "Tier"):
        left = cluster.kube.list("projectcalico.org/v3", kind, label_selector="npkit.io/lab")
        assert left == [], [o["metadata"]["name"] for o in left]

"""The lab session on a simulated observing backend: predict, probe, retry, compare, canary, clean up."""

import numpy as np
import pytest

from npkit.lab.backend import LabConfigError, LabError
from npkit.lab.backends.predict import PredictBackend
from npkit.lab.session import LabSession, with_lab_labels
from npkit.loading import load_string

from .fakes import SimBackend

SCENARIO = """
apiVersion: v1
kind: Namespace
metadata: {name: np-demo}
---
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: np-demo, labels: {app: web, tier: backend}}
spec: {containers: [{name: c, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: np-demo, labels: {app: frontend}}
spec: {containers: [{name: c, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: np-demo, labels: {app: other}}
spec: {containers: [{name: c, image: busybox}]}
"""
ALLOW_FRONTEND = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-frontend, namespace: np-demo}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Ingress]
  ingress: [{from: [{podSelector: {matchLabels: {app: frontend}}}], ports: [{protocol: TCP, port: 80}]}]
"""
QUIET = {"progress": lambda d, t, m: None, "on_message": lambda m: None}


def session(backend=None, **kw):
    return LabSession("lab-02", load_string(SCENARIO), backend or SimBackend(), **QUIET, **kw)


def test_prediction_and_observation_agree_and_only_frontend_reaches_web():
    lab = session()
    lab.deploy()
    lab.apply(load_string(ALLOW_FRONTEND))
    result = lab.check(80)
    assert result.observes and result.agree
    assert result.predicted["np-demo/frontend", "np-demo/web"]
    assert not result.predicted["np-demo/other", "np-demo/web"]
    to_web = {r.request.src: r.outcome for r in result.results if r.request.dst == "np-demo/web"}
    assert to_web == {"np-demo/frontend": "CONNECTED", "np-demo/other": "TIMEOUT", "np-demo/web": "CONNECTED"}


def test_a_disagreeing_cell_is_probed_once_more_after_settling_and_only_that_cell():
    backend = SimBackend(faults={("np-demo/other", "np-demo/web"): ["CONNECTED"]})  # policy not programmed yet
    lab = session(backend)
    lab.deploy()
    lab.apply(load_string(ALLOW_FRONTEND))
    result = lab.check(80)
    assert result.agree
    assert len(backend.probed) == 9 + 1
    assert result.result("np-demo/other", "np-demo/web").attempts == 2


def test_a_persistent_disagreement_is_reported_with_the_engines_explanation():
    backend = SimBackend(faults={("np-demo/other", "np-demo/web"): ["CONNECTED", "CONNECTED"]})
    lab = session(backend)
    lab.deploy()
    lab.apply(load_string(ALLOW_FRONTEND))
    (m,) = lab.check(80).mismatches
    assert (m.src, m.dst, m.predicted, m.observed, m.attempts) == ("np-demo/other", "np-demo/web", False, True, 2)
    assert "NetworkPolicy np-demo/allow-frontend" in m.explanation


def test_without_retry_the_first_answer_stands():
    backend = SimBackend(faults={("np-demo/other", "np-demo/web"): ["CONNECTED"]})
    lab = session(backend)
    lab.deploy()
    lab.apply(load_string(ALLOW_FRONTEND))
    assert len(lab.check(80, retry=False).mismatches) == 1


def test_the_canary_passes_when_policy_is_enforced_and_leaves_nothing_behind():
    backend = SimBackend()
    result = session(backend).canary()
    assert result.ran and result.before.outcome == "CONNECTED" and result.after.outcome == "TIMEOUT"
    assert backend.scenario is None  # torn down


def test_the_canary_catches_a_cni_that_enforces_nothing_and_cleans_up():
    backend = SimBackend(enforcing=False)
    with pytest.raises(LabError, match="(?s)ENFORCEMENT CANARY FAILED.*kind older than v0.24"):
        session(backend).canary()
    assert backend.scenario is None


def test_an_interrupt_or_error_mid_step_cleans_up_and_is_re_raised():
    backend = SimBackend()
    lab = session(backend)
    lab.deploy()
    before = backend.teardowns
    backend.fail_apply = KeyboardInterrupt()
    with pytest.raises(KeyboardInterrupt):
        lab.apply(load_string(ALLOW_FRONTEND))
    assert backend.teardowns == before + 1 and backend.scenario is None


def test_deploy_removes_leftovers_first_and_teardown_can_be_repeated():
    backend = SimBackend()
    lab = session(backend)
    lab.deploy()
    lab.deploy()  # a learner re-running the cell
    assert backend.teardowns == 2
    lab.teardown()
    lab.teardown()
    assert backend.scenario is None


def test_the_context_manager_always_tears_down():
    backend = SimBackend()
    with pytest.raises(RuntimeError):
        with session(backend) as lab:
            lab.deploy()
            raise RuntimeError("a learner's mistake")
    assert backend.scenario is None


def test_policies_outside_the_scenarios_namespaces_are_refused():
    lab = session()
    lab.deploy()
    with pytest.raises(LabError, match="not in a namespace of this lab's scenario"):
        lab.apply(load_string(ALLOW_FRONTEND.replace("np-demo", "default")))


def test_prediction_only_mode_predicts_and_skips_the_canary():
    lab = session(PredictBackend("testing"))
    assert not lab.canary().ran
    lab.deploy()
    lab.apply(load_string(ALLOW_FRONTEND))
    result = lab.check()
    assert not result.observes and result.observed is None
    assert not result.predicted["np-demo/other", "np-demo/web"]


GNP_LIMITED = """
apiVersion: projectcalico.org/v3
kind: Tier
metadata: {name: security}
spec: {order: 100}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: block-malicious-ips}
spec:
  tier: security
  order: 10
  selector: all()
  namespaceSelector: "npkit.io/lab == 'lab-02'"
  types: [Ingress]
  ingress: [{action: Deny, source: {nets: [1.2.3.0/24]}}]
"""


def test_lab_namespaces_carry_the_lab_label_so_lab_scoped_global_policies_select_them():
    scenario = with_lab_labels(load_string(SCENARIO), "lab-02")
    assert scenario.namespaces["np-demo"].labels["npkit.io/lab"] == "lab-02"
    backend = SimBackend()
    lab = session(backend)
    lab.deploy()
    lab.apply(GNP_LIMITED)
    assert set(backend.tiers) == {"security"}  # the tier went to the backend before the policy
    result = lab.check(80)
    # the security tier ends with an implicit Deny for what it selects: nothing reaches any pod now
    assert not result.predicted.allowed[~np.eye(3, dtype=bool)].any()
    assert result.agree


# -- a quiet library, opened explicitly ------------------------------------------------------------------

@pytest.fixture
def registry(monkeypatch):
    from npkit.lab import select

    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    return select


def test_constructing_a_session_chooses_builds_and_prints_nothing(registry, capsys):
    built = []
    registry.register_backend("kind", lambda config: built.append(config) or SimBackend(), automatic=True)
    lab = LabSession("lab-02", load_string(SCENARIO), env={})
    assert built == [] and lab.choice is None
    messages = []
    lab.on_message = messages.append
    with lab:  # opening chooses (kind here) and announces it
        assert len(built) == 1 and lab.backend.name == "sim"
        lab.deploy()
    assert messages[0].startswith("Lab backend: sim") and messages[-1] == "lab lab-02: cleaned up"
    assert capsys.readouterr() == ("", "")  # nothing printed: the caller decides where words go


def test_messages_go_to_the_npkit_lab_logger_when_no_one_takes_them(caplog):
    import logging

    with caplog.at_level(logging.INFO, logger="npkit.lab"):
        lab = LabSession("lab-02", load_string(SCENARIO), SimBackend(), progress=lambda d, t, m: None)
        lab.deploy()
    assert "deployed 3 pod(s)" in caplog.text


def test_the_engine_is_compiled_once_per_change():
    lab = session()
    lab.deploy()
    engine = lab.engine
    assert lab.engine is engine and lab.predict(80) is not None and lab.engine is engine
    lab.apply(load_string(ALLOW_FRONTEND))
    assert lab.engine is not engine and len(lab.engine.cluster.policies) == 1


def test_the_local_backend_needs_an_opt_in(registry):
    from npkit.lab.config import LocalConfig

    registry.register_backend("kind", lambda config: Unreachable(), automatic=True)
    registry.register_backend("local", lambda config: SimBackend(lab_id=config.lab_id), LocalConfig)
    assert LabSession("lab-02", load_string(SCENARIO), env={}).backend.name == "predict"
    assert LabSession("lab-02", load_string(SCENARIO), env={}, allow_local=True).backend.name == "sim"
    assert LabSession("lab-02", load_string(SCENARIO), "local", env={}).backend.name == "sim"
    with pytest.raises(LabConfigError, match="--context cannot be used with the local backend"):
        LabSession("lab-02", load_string(SCENARIO), "local", env={}, allow_context="kind-prod").open()


class Unreachable(SimBackend):
    def usable(self):
        return ["no kind cluster named npkit-lab: run `npkit lab up`"]


def test_a_calico_lab_on_the_local_backend_says_it_was_not_observed_on_felix():
    class Local(SimBackend):
        name = "local"

    lab = session(Local())
    lab.deploy()
    plain = lab.check(80)
    assert "not on Felix" not in plain.render_text() and "truth tables" in plain.render_text()
    lab.apply(GNP_LIMITED)
    text = lab.check(80).render_text()
    assert "observed on npkit's nftables rendering of Calico's rules, enforced by the kernel — not on Felix" in text
    assert lab.provenance.not_on_calico


def test_a_lab_card_says_what_how_long_where_and_what_it_creates(registry):
    card = LabSession("lab-01", load_string(SCENARIO), PredictBackend("testing")).intro()
    assert (card.title, card.minutes) == ("Lab 1: default deny", 15)
    assert "What it creates on this machine: nothing" in card.text()
    assert "--backend local" in card.text() and "<b>Lab 1: default deny: about 15 minutes</b>" in card._repr_html_()

    class Local(SimBackend):
        name = "local"
        changes = "network namespaces and nftables rules on this machine; needs root"

    card = LabSession("lab-03", load_string(SCENARIO), Local(), needs="calico").intro()
    assert card.minutes == 25 and "not on Felix" in card.rests_on
    assert card.changes == "network namespaces and nftables rules on this machine; needs root"

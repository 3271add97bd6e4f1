"""`npkit lab`: exit codes, messages and the observed-matrix JSON, on test backends."""

import json

import pytest

from npkit.cli.main import main
from npkit.lab import select
from npkit.lab.backends.kind import KindBackend
from npkit.lab.config import KindConfig

from .fakes import FakeRunner, SimBackend
from .test_session import ALLOW_FRONTEND, SCENARIO


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    monkeypatch.delenv("NPKIT_LAB_BACKEND", raising=False)
    return select._REGISTRY


@pytest.fixture
def files(tmp_path):
    scenario, policy = tmp_path / "scenario.yaml", tmp_path / "policy.yaml"
    scenario.write_text(SCENARIO)
    policy.write_text(ALLOW_FRONTEND)
    return [str(scenario), str(policy)]


def test_lab_run_prints_the_observed_matrix_in_npkit_matrix_shape(registry, files, capsys):
    select.register_backend("sim", SimBackend)
    assert main(["matrix", "-f", *files, "-o", "json"]) == 0
    predicted = json.loads(capsys.readouterr().out)
    predicted.pop("assigned_ips")  # npkit matrix's note about made-up IPs; a lab's pods have real ones
    assert main(["lab", "run", "-f", *files, "--backend", "sim", "-o", "json"]) == 0
    captured = capsys.readouterr()
    observed = json.loads(captured.out)
    assert {k: observed[k] for k in predicted} == predicted  # same shape, and here the same answers
    assert observed["mismatches"] == [] and observed["observed"] is True
    assert "enforcement canary passed" in captured.err  # progress and messages go to stderr


def test_lab_run_reports_mismatches_and_still_cleans_up(registry, files, capsys):
    backend = SimBackend(faults={("np-demo/other", "np-demo/web"): ["CONNECTED", "CONNECTED"]})
    select.register_backend("sim", lambda config: backend)
    assert main(["lab", "run", "-f", *files, "--backend", "sim", "--no-canary", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["allowed"]["np-demo/other"]["np-demo/web"] is True
    assert [(m["src"], m["dst"], m["attempts"]) for m in doc["mismatches"]] == [("np-demo/other", "np-demo/web", 2)]
    assert backend.scenario is None


def test_lab_run_several_ports_and_a_table(registry, files, capsys):
    select.register_backend("sim", SimBackend)
    assert main(["lab", "run", "-f", *files, "--backend", "sim", "--no-canary", "--port", "80", "--port",
                 "8080", "-o", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [p["port"] for p in doc["probes"]] == [80, 8080]
    assert main(["lab", "run", "-f", *files, "--backend", "sim", "--no-canary"]) == 0
    assert "Observed (sim)" in capsys.readouterr().out


def test_lab_run_without_an_observing_backend_predicts_and_says_how_to_observe(registry, files, capsys):
    assert main(["lab", "run", "-f", *files, "--backend", "predict", "-o", "json"]) == 0
    captured = capsys.readouterr()
    doc = json.loads(captured.out)
    assert doc["observed"] is False and doc["enforced_by"].startswith("PREDICTED, NOT OBSERVED")
    assert doc["allowed"]["np-demo/frontend"]["np-demo/web"] and not doc["allowed"]["np-demo/other"]["np-demo/web"]
    assert "PREDICTED, NOT OBSERVED" in captured.err and "--backend local" in captured.err
    assert "network namespaces and nftables rules on this machine; needs root" in captured.err


def test_without_a_backend_option_lab_run_never_picks_the_local_backend(registry, files, capsys, monkeypatch):
    select.register_backend("kind", lambda config: KindBackend(config, runner=FakeRunner(programs=set())),
                            KindConfig, True)

    def never(config):
        raise AssertionError("the local backend was built without being asked for")

    select.register_backend("local", never, select.LocalConfig)
    assert main(["lab", "run", "-f", *files, "-o", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["observed"] is False


def test_an_option_the_backend_cannot_honour_is_a_usage_error_not_dropped(registry, files, capsys):
    assert main(["lab", "run", "-f", *files, "--backend", "local", "--context", "kind-other"]) == 2
    err = capsys.readouterr().err
    assert "--context cannot be used with the local backend" in err and "Traceback" not in err
    assert main(["lab", "up", "--backend", "local", "--cni", "kindnet"]) == 2
    assert "--cni cannot be used with the local backend" in capsys.readouterr().err
    assert main(["lab", "status", "--backend", "predict", "--name", "x"]) == 2


def test_lab_status_with_the_cluster_api_down_is_an_environment_error_not_a_bug(registry, capsys):
    from npkit.cluster.kube import KubeError

    class ApiDown(SimBackend):
        def status(self):
            raise KubeError("connection refused: https://127.0.0.1:40123/version (is the kind node running?)")

    select.register_backend("sim", ApiDown)
    assert main(["lab", "status", "--backend", "sim"]) == 69  # npkit.errors.EXIT_ENVIRONMENT
    err = capsys.readouterr().err
    assert "connection refused" in err and "internal error" not in err and "Traceback" not in err


def test_lab_run_needs_pods(registry, tmp_path, capsys):
    select.register_backend("sim", SimBackend)
    only_policy = tmp_path / "p.yaml"
    only_policy.write_text(ALLOW_FRONTEND)
    assert main(["lab", "run", "-f", str(only_policy), "--backend", "sim"]) == 2
    assert "no pods" in capsys.readouterr().err


def test_lab_up_without_docker_or_kind_exits_69_with_the_fixes_and_no_traceback(registry, capsys):
    runner = FakeRunner(programs={"kubectl"})
    select.register_backend("kind", lambda config: KindBackend(config, runner=runner), KindConfig, True)
    assert main(["lab", "up"]) == 69
    err = capsys.readouterr().err
    assert "no container runtime" in err and "kind is not installed" in err and "Traceback" not in err


def test_lab_status_always_answers(registry, capsys):
    select.register_backend("kind", lambda config: KindBackend(config, runner=FakeRunner(programs=set())),
                            KindConfig, True)
    assert main(["lab", "status"]) == 0
    assert "not ready" in capsys.readouterr().out


def test_a_failing_clean_up_is_reported_as_a_lab_problem_with_exit_69(registry, files, capsys):
    from npkit.lab.backend import LabError

    class BrokenTeardown(SimBackend):
        failed = False

        def teardown(self, progress=None):
            if not BrokenTeardown.failed:  # once: the session retries at exit, and that one may work
                BrokenTeardown.failed = True
                raise LabError("the cluster went away while cleaning up")
            super().teardown()

    select.register_backend("sim", BrokenTeardown)
    assert main(["lab", "run", "-f", *files, "--backend", "sim", "--no-canary", "-o", "json"]) == 69
    err = capsys.readouterr().err
    assert "the cluster went away while cleaning up" in err and "internal error" not in err


def test_a_failed_step_whose_clean_up_fails_too_is_one_error_with_a_note_on_finishing(registry, files, capsys):
    from npkit.lab.backend import LabError

    class Stuck(SimBackend):
        def apply(self, policies, progress=None):
            raise LabError("the API server refused the policy")

        def teardown(self, progress=None):
            if self.scenario is not None:
                raise LabError("the API server went away")

    select.register_backend("sim", Stuck)
    assert main(["lab", "run", "-f", *files, "--backend", "sim", "--no-canary"]) == 69
    err = capsys.readouterr().err
    assert "the API server refused the policy" in err
    assert err.count("clean-up did not finish (the API server went away)") == 1
    assert "npkit lab clean --backend sim --lab-id npkit-run" in err
    assert "failed too" not in err and "internal error" not in err

"""`npkit lab` on the kind backend with fake tools and a fake API: an API that is down or answers an
error is a clear environment error (never "internal error"), `status --verbose` has what a bug
report needs, `up` never reaches another context, and the enforcement canary waits for a new pod's
route before calling pod networking broken."""

import pytest

from npkit.cli.main import main
from npkit.cluster.kube import KubeError
from npkit.lab import select
from npkit.lab.backend import LabError
from npkit.lab.backends.kind import KindBackend
from npkit.lab.config import KindConfig
from npkit.lab.session import LabSession, canary_scenario

from .fakes import FakeClock, SimBackend, healthy_runner, installed_cluster, roomy_sysctl
from .test_session import ALLOW_FRONTEND, SCENARIO


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    monkeypatch.delenv("NPKIT_LAB_BACKEND", raising=False)
    return select._REGISTRY


def use_kind(kube, runner=None):
    runner = runner or healthy_runner()
    select.register_backend("kind", lambda config: KindBackend(config, runner=runner, kube_factory=lambda ctx: kube,
                                                                clock=FakeClock(), sysctl=roomy_sysctl),
                            KindConfig, True)
    return runner


REFUSED = KubeError("reading the server version: the API server https://127.0.0.1:40123 does not answer "
                    "(Connection refused)")


def api_down(kube, error=REFUSED):
    def fail(*args, **kwargs):
        raise error

    for method in ("version", "list", "get", "has_api", "create", "apply", "delete"):
        setattr(kube, method, fail)
    return kube


@pytest.mark.parametrize("error", [
    REFUSED,
    KubeError("reading the server version: the server is currently unable to handle the request", 503),
])
def test_lab_status_with_the_api_down_or_erroring_is_an_environment_error_not_a_bug(registry, capsys, error):
    use_kind(api_down(installed_cluster(), error))
    code = main(["lab", "status"])
    err = capsys.readouterr().err
    assert code not in (0, 1)  # not "fine", not lint's "findings": the environment's code
    assert "kind cluster npkit-lab exists, but its API does not answer" in err
    assert "docker start npkit-lab-control-plane npkit-lab-worker npkit-lab-worker2" in err
    assert "internal error" not in err and "Traceback" not in err


def test_a_lab_run_against_a_dead_api_says_so_once(registry, tmp_path, capsys):
    use_kind(api_down(installed_cluster()))
    scenario, policy = tmp_path / "s.yaml", tmp_path / "p.yaml"
    scenario.write_text(SCENARIO)
    policy.write_text(ALLOW_FRONTEND)
    code = main(["lab", "run", "--backend", "kind", "-f", str(scenario), "-f", str(policy)])
    err = capsys.readouterr().err
    assert code not in (0, 1) and "internal error" not in err and "Traceback" not in err
    assert "does not answer" in err
    assert "clean-up failed too" not in err


def test_lab_status_verbose_has_what_a_bug_report_needs(registry, capsys):
    use_kind(installed_cluster())
    assert main(["lab", "status", "--verbose"]) == 0
    out = capsys.readouterr().out
    assert "npkit pins: kind v0.31.0" in out and "docker info: Cgroup Version: 2" in out
    assert "TigeraStatus whisker: Available=True" in out and "Calico: Available" in out


def test_lab_up_with_another_context_changes_nothing(registry, capsys):
    kube = installed_cluster(context="prod", server="https://prod.example.com")
    runner = use_kind(kube)
    assert main(["lab", "up", "--context", "prod"]) not in (0, 1)
    assert "Leave --context out" in capsys.readouterr().err
    assert kube.calls == [] and not [c for c in runner.calls if c[0] == "kubectl"]


def test_the_canary_waits_for_a_new_pods_route_before_calling_networking_broken():
    ns = canary_scenario("lab-01")[1].namespace
    lagging = SimBackend(faults={(f"{ns}/canary-client", f"{ns}/canary-server"): ["TIMEOUT", "TIMEOUT"]})
    lagging.settle = 0.0
    with LabSession("lab-01", backend=lagging) as lab:
        assert lab.canary().ran
    broken = SimBackend(faults={(f"{ns}/canary-client", f"{ns}/canary-server"): ["TIMEOUT"] * 20})
    broken.settle = 0.0
    with LabSession("lab-01", backend=broken) as lab, pytest.raises(LabError, match="pod networking itself"):
        lab.canary()

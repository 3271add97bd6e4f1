"""Preflight: an actionable message per missing piece, per OS."""

import pytest

from npkit.cluster.preflight import preflight
from npkit.cluster.runner import Result
from npkit.cluster.versions import load_versions

from .fakes import FakeRunner, healthy_runner

V = load_versions()


def test_a_healthy_machine_has_no_problems():
    assert preflight(healthy_runner(), V, "linux").problems == []


@pytest.mark.parametrize(("os_name", "hint"), [
    ("linux", "docs.docker.com/engine/install"), ("macos", "colima"), ("wsl", "WSL integration"),
    ("windows", "WSL2 backend"),
])
def test_missing_runtime_says_what_to_install_on_each_os(os_name, hint):
    runner = healthy_runner()
    runner.programs.discard("docker")
    problems = preflight(runner, V, os_name).problems
    assert len(problems) == 1 and "no container runtime" in problems[0] and hint in problems[0]


def test_a_stopped_engine_is_told_apart_from_a_missing_one():
    runner = healthy_runner(**{"docker info": Result((), 1, "", "Cannot connect to the Docker daemon")})
    (problem,) = preflight(runner, V, "linux").problems
    assert "`docker info` failed (Cannot connect to the Docker daemon)" in problem


def test_missing_kind_and_kubectl_are_each_reported():
    runner = healthy_runner()
    runner.programs -= {"kind", "kubectl"}
    problems = preflight(runner, V, "macos").problems
    assert any("kind is not installed: `brew install kind`" in p for p in problems)
    assert any("kubectl is not installed: `brew install kubectl`" in p for p in problems)


def test_kind_too_old_to_enforce_policy_is_a_problem_and_a_different_minor_only_a_note():
    old = healthy_runner(**{"kind version": Result((), 0, "kind v0.23.0 go1.22 linux/amd64", "")})
    assert any("kind v0.23.0 is too old" in p for p in preflight(old, V, "linux").problems)
    newer = healthy_runner(**{"kind version": Result((), 0, "kind v0.32.0 go1.26 linux/amd64", "")})
    result = preflight(newer, V, "linux")
    assert result.ok and any("differs from the pinned" in n for n in result.notes)


def test_wsl_gets_the_kindnet_nfqueue_caveat():
    assert any("nfqueue" in n for n in preflight(healthy_runner(), V, "wsl").notes)


def test_nothing_installed_at_all():
    problems = preflight(FakeRunner(programs=set()), V, "linux").problems
    assert len(problems) == 3

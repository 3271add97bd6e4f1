"""Preflight: an actionable message per missing piece, per OS."""

import pytest

from npkit.cluster.preflight import preflight
from npkit.cluster.runner import Result
from npkit.cluster.versions import load_versions

from .fakes import (
    DOCKER_INFO_CGROUP_V1,
    DOCKER_INFO_DOWN_ERR,
    DOCKER_INFO_DOWN_OUT,
    FakeRunner,
    healthy_runner,
    roomy_sysctl,
)

V = load_versions()


def test_a_healthy_machine_has_no_problems_and_nothing_to_note():
    result = preflight(healthy_runner(), V, "linux", roomy_sysctl)
    assert result.problems == [] and result.notes == []


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


def test_docker_infos_own_error_line_is_reported_not_its_last_line():
    # docker info with the engine down ends with "errors pretty printing info"; the cause is the ERROR: line.
    runner = healthy_runner(**{"docker info": Result((), 1, DOCKER_INFO_DOWN_OUT, DOCKER_INFO_DOWN_ERR)})
    (problem,) = preflight(runner, V, "linux").problems
    assert "(ERROR: Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon " \
           "running?" in problem
    assert "errors pretty printing info" in problem  # kept as context after the cause


@pytest.mark.parametrize(("os_name", "hint"), [("linux", "systemd.unified_cgroup_hierarchy=1"),
                                               ("wsl", "wsl-cgroupsv2")])
def test_a_cgroup_v1_host_is_a_problem_because_kubelet_1_35_refuses_it(os_name, hint):
    runner = healthy_runner(**{"docker info": Result((), 0, DOCKER_INFO_CGROUP_V1, "")})
    (problem,) = preflight(runner, V, os_name, roomy_sysctl).problems
    assert "cgroup v1" in problem and "KEP-5573" in problem and hint in problem
    podman = healthy_runner(**{"podman info": Result((), 0, "host:\n  cgroupVersion: v1\n", "")})
    podman.programs = {"podman", "kind", "kubectl"}
    assert "cgroup v1" in preflight(podman, V, "linux", roomy_sysctl).problems[0]


def test_low_inotify_limits_get_kinds_fix_as_a_note_on_linux_only():
    low = {"fs.inotify.max_user_watches": "8192", "fs.inotify.max_user_instances": "128"}.get
    result = preflight(healthy_runner(), V, "linux", low)
    assert result.ok
    (note,) = result.notes
    assert "fs.inotify.max_user_watches=8192" in note
    assert "sudo sysctl fs.inotify.max_user_watches=524288 && sudo sysctl fs.inotify.max_user_instances=512" in note
    assert preflight(healthy_runner(), V, "macos", low).notes == []  # Docker Desktop's VM has its own


def test_missing_kind_and_kubectl_are_each_reported():
    runner = healthy_runner()
    runner.programs -= {"kind", "kubectl"}
    problems = preflight(runner, V, "macos").problems
    assert any("kind is not installed: `brew install kind`" in p for p in problems)
    assert any("kubectl is not installed: `brew install kubectl`" in p for p in problems)


def test_kind_too_old_or_older_than_the_pinned_node_images_release_is_a_problem_newer_a_note():
    old = healthy_runner(**{"kind version": Result((), 0, "kind v0.23.0 go1.22 linux/amd64", "")})
    assert any("kind v0.23.0 is too old" in p for p in preflight(old, V, "linux", roomy_sysctl).problems)
    older = healthy_runner(**{"kind version": Result((), 0, "kind v0.30.0 go1.24.6 linux/amd64", "")})
    (problem,) = preflight(older, V, "linux", roomy_sysctl).problems
    assert "kind v0.30.0 is older than the pinned v0.31.0" in problem and "node image was built for" in problem
    newer = healthy_runner(**{"kind version": Result((), 0, "kind v0.32.0 go1.26 linux/amd64", "")})
    result = preflight(newer, V, "linux", roomy_sysctl)
    assert result.ok and any("newer than the pinned v0.31.0" in n and "release notes" in n for n in result.notes)


def test_wsl_gets_the_kindnet_nfqueue_caveat():
    assert any("nfqueue" in n for n in preflight(healthy_runner(), V, "wsl", roomy_sysctl).notes)


def test_nothing_installed_at_all():
    problems = preflight(FakeRunner(programs=set()), V, "linux").problems
    assert len(problems) == 3

"""Readiness decisions and the waiting loop."""

import pytest

from npkit.cluster.readiness import Timeout, nodes_waiting, pod_failed, pod_waiting, tigera_waiting, wait_until

from .fakes import FakeClock


def node(name, status, message=""):
    return {"metadata": {"name": name},
            "status": {"conditions": [{"type": "Ready", "status": status, "message": message}]}}


def test_nodes_not_ready_are_named_with_the_reason():
    waiting = nodes_waiting([node("cp", "True"), node("w1", "False", "container runtime network not ready")])
    assert waiting == ["node w1 (NotReady: container runtime network not ready)"]
    assert nodes_waiting([]) == ["no nodes registered yet"]
    assert nodes_waiting([node("cp", "True"), node("w1", "True")]) == []


def tigera(name, available, **more):
    conditions = [{"type": "Available", "status": "True" if available else "False"}]
    conditions += [{"type": k, "status": "True", "message": v} for k, v in more.items()]
    return {"metadata": {"name": name}, "status": {"conditions": conditions}}


def test_calico_is_ready_only_when_every_component_is_available():
    # The TigeraStatus set of a 3.32 operator install (tigera/operator v1.42 controllers).
    assert tigera_waiting([tigera(n, True) for n in ("apiserver", "calico", "goldmane", "ippools", "whisker")]) == []
    assert tigera_waiting([tigera("calico", True), tigera("apiserver", True), tigera("ippools", False)]) == \
        ["ippools (not Available)"]
    assert tigera_waiting([tigera("calico", True), tigera("apiserver", False, Progressing="Waiting for pods")]) \
        == ["apiserver (Waiting for pods)"]
    assert tigera_waiting([]) == ["calico (not reported yet)", "apiserver (not reported yet)"]


def test_pod_readiness_and_hopeless_states():
    ready = {"metadata": {"name": "web"}, "status": {"phase": "Running", "podIP": "10.0.0.1",
                                                     "conditions": [{"type": "Ready", "status": "True"}]}}
    assert pod_waiting(ready) is None
    no_ip = {**ready, "status": {**ready["status"], "podIP": ""}}
    assert pod_waiting(no_ip) == "web: no IP yet"
    pulling = {"metadata": {"name": "web"}, "status": {"phase": "Pending", "containerStatuses": [
        {"name": "serve-tcp-80", "state": {"waiting": {"reason": "ErrImagePull", "message": "not found"}}}]}}
    reason = pod_waiting(pulling)
    assert reason == "web: ErrImagePull (not found)"
    assert not pod_failed(reason)  # kubelet retries pulls: waited for, named if the wait runs out
    assert pod_failed("web: InvalidImageName (couldn't parse image name)")
    assert not pod_failed("web: Pending")


def test_wait_until_returns_once_nothing_waits_and_reports_each_try():
    answers = [["a", "b"], ["b"], []]
    reports = []
    wait_until(lambda: answers.pop(0), "things", 60, 2, lambda w, t: reports.append((w, t)), FakeClock())
    assert reports == [(["a", "b"], 0.0), (["b"], 2.0), ([], 4.0)]


def test_wait_until_times_out_naming_what_still_waits():
    with pytest.raises(Timeout, match=r"nodes not ready after 10 s: node w1 \(NotReady"):
        wait_until(lambda: ["node w1 (NotReady: cni)"], "nodes", 10, 3, clock=FakeClock())

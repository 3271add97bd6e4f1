"""Clean-up always runs and `down` finds everything: after success, errors, signals and crashes."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from npkit.lab.backend import LabError
from npkit.lab.backends.local import LocalBackend, backend, naming, netns, server_pool
from npkit.lab.backends.local.system import list_netns
from npkit.lab.config import LocalConfig

from .support import lab_id, pod, requires_netns, scenario

pytestmark = requires_netns

PODS = scenario(pod("web", "x", "10.20.0.1"), pod("client", "x", "10.20.0.2"))


def namespaces_of(lab: str) -> list[str]:
    return [n for n in list_netns() if n.startswith(naming.netns_prefix(lab))]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as f:
        return f.read().split(") ", 1)[1][0] != "Z"


def wait_until(check, timeout=5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()


def test_down_removes_namespaces_processes_and_state_and_is_idempotent():
    lab = LocalBackend(LocalConfig(lab_id("down")))
    lab.up()
    lab.deploy(PODS)
    pids = [p.server_pid for p in lab.state.pods.values()]
    assert len(namespaces_of(lab.lab)) == 3 and all(alive(p) for p in pids)
    lab.down()
    assert namespaces_of(lab.lab) == [] and not os.path.exists(netns.state_dir(lab.lab))
    assert not any(alive(p) for p in pids)
    lab.down()  # again: nothing to do, no error
    assert lab.lab_id not in lab.status()


def test_teardown_removes_pods_and_policies_but_keeps_the_node(lab):
    lab.deploy(PODS)
    lab.teardown()
    assert namespaces_of(lab.lab) == [lab.node] and lab.state.pods == {} and lab.policies == {}
    lab.teardown()


def test_without_up_teardown_leaves_nothing_at_all():
    lab = LocalBackend(LocalConfig(lab_id("implicit")))
    try:
        lab.deploy(PODS)  # as a lab session does: no explicit up()
        assert len(namespaces_of(lab.lab)) == 3
        lab.teardown()
        assert namespaces_of(lab.lab) == [] and not os.path.exists(netns.state_dir(lab.lab))
        lab.deploy(PODS)  # and it comes back on demand
        assert len(namespaces_of(lab.lab)) == 3
    finally:
        lab.down()


def test_a_failed_deploy_removes_what_it_created(lab, monkeypatch, tmp_path):
    broken = tmp_path / "servers.py"
    broken.write_text("import sys\nsys.exit('cannot bind: simulated failure')\n")
    monkeypatch.setattr(server_pool, "SERVER_SCRIPT", str(broken))
    with pytest.raises(LabError, match="the server of pod x/\\w+ failed to start: cannot bind: simulated failure"):
        lab.deploy(PODS)
    assert namespaces_of(lab.lab) == [lab.node] and lab.state.pods == {}
    monkeypatch.undo()
    lab.deploy(PODS)  # and the lab still works afterwards
    assert len(namespaces_of(lab.lab)) == 3


CHILD = textwrap.dedent("""
    import sys, time
    from npkit.lab.backends.local import LocalBackend
    from npkit.lab.config import LocalConfig
    from tests.lab.local.support import pod, scenario
    lab = LocalBackend(LocalConfig(sys.argv[1]))
    {body}
""")


def start_child(name: str, body: str) -> subprocess.Popen:
    code = CHILD.format(body=textwrap.dedent(body))
    return subprocess.Popen([sys.executable, "-c", code, name], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True, cwd=os.getcwd())


def test_a_crashed_run_leaves_no_servers_and_down_finds_its_namespaces():
    name = lab_id("crash")
    child = start_child(name, """
        lab.up()
        lab.deploy(scenario(pod("web", "x", "10.21.0.1"), pod("client", "x", "10.21.0.2")))
        print(" ".join(str(p.server_pid) for p in lab.state.pods.values()), flush=True)
        time.sleep(60)
    """)
    pids = [int(p) for p in child.stdout.readline().split()]
    assert pids, child.stderr.read()
    child.kill()  # SIGKILL: no clean-up code runs at all
    child.wait()
    assert wait_until(lambda: not any(alive(p) for p in pids)), "servers outlived their lab"
    lab = LocalBackend(LocalConfig(name))
    assert len(namespaces_of(lab.lab)) == 3
    assert "left by a process that has exited" in lab.status()
    other = LocalBackend(LocalConfig(lab_id("other")))
    other.down()  # any lab's `down` removes labs whose process is gone ...
    assert namespaces_of(lab.lab) == []


def test_down_spares_labs_whose_process_still_runs(lab):
    lab.deploy(PODS)
    LocalBackend(LocalConfig(lab_id("bystander"))).down()
    assert len(namespaces_of(lab.lab)) == 3


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP], ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_interrupt_terminate_and_hangup_end_lab_run_through_its_clean_up(sig, tmp_path):
    name = lab_id("sig")
    case = tmp_path / "case.yaml"
    case.write_text(CASE)
    child = subprocess.Popen([sys.executable, "-m", "npkit.cli.main", "lab", "run", "-f", str(case), "--backend",
                              "local", "--lab-id", name, "--no-canary", "--timeout", "30"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    lab = backend.lab_name(name)
    # Probing waits 30 s for the dropped connection: the signal lands mid-run, with everything deployed.
    assert wait_until(lambda: len(namespaces_of(lab)) == 3 and netns.load_state(lab).policies, 30), \
        child.stderr.read() if child.poll() is not None else "never deployed"
    child.send_signal(sig)
    _, err = child.communicate(timeout=30)
    assert child.returncode == 128 + sig and "Traceback" not in err, err
    assert namespaces_of(lab) == [] and not os.path.exists(netns.state_dir(lab))


CASE = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec: {containers: [{name: web, image: agnhost, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: x}
spec: {containers: [{name: client, image: agnhost}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-web, namespace: x}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
"""


def test_two_runs_of_one_lab_take_turns_instead_of_sharing_pods(monkeypatch):
    name = lab_id("turns")
    child = start_child(name, """
        lab.up()
        lab.deploy(scenario(pod("web", "x", "10.23.0.1")))
        print("deployed", flush=True)
        sys.stdin.readline()
        lab.teardown()
        print("released", flush=True)
        time.sleep(60)
    """)
    assert child.stdout.readline().strip() == "deployed", child.stderr.read()
    monkeypatch.setattr(backend, "CLAIM_TIMEOUT", 0.5)
    second = LocalBackend(LocalConfig(name))
    try:
        with pytest.raises(LabError, match=f"local lab {second.lab} is in use by process {child.pid}"):
            second.deploy(PODS)
        assert f"in use by process {child.pid}" in second.status()
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "released", child.stderr.read()
        second.deploy(PODS)  # the first run tore down: the lab is free although that process lives on
        assert sorted(second.state.pods) == ["x/client", "x/web"]
        assert second.probe([backend.ProbeRequest("x/client", "x/web", 80)], 1.0)[0].outcome == "CONNECTED"
    finally:
        child.kill()
        child.wait()
        second.down()


def test_namespaces_npkit_did_not_record_are_never_touched_whatever_their_name():
    lab = LocalBackend(LocalConfig(lab_id("foreign")))
    squatter = naming.pod_netns(lab.lab, "x/web")  # where the lab would put pod x/web
    stranger = f"npk-{lab_id('nobody')}.node"  # named like a lab's node, recorded by no lab
    for name in (squatter, stranger):
        subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        with pytest.raises(LabError, match=f"network namespace\\(s\\) {squatter} exist but no npkit lab recorded"):
            lab.deploy(PODS)
        lab.clean()
        lab.down()
        LocalBackend(LocalConfig(lab_id("sweeper"))).sweep()
        assert {squatter, stranger} <= set(list_netns())
        assert namespaces_of(lab.lab) == [squatter]  # the lab's own node and pods are gone, the squatter stays
        assert "no lab recorded (left alone): " in lab.status() and stranger in lab.status()
    finally:
        for name in (squatter, stranger):
            subprocess.run(["ip", "netns", "delete", name], check=False)

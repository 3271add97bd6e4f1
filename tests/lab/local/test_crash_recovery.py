"""A run killed at any point (even by SIGKILL) leaves nothing for good: the next command brings the host
back to exactly its earlier state (`ip netns list`, `nft list tables`, /run/npkit). And nothing is
created at all unless the local backend was asked for."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from npkit.lab.backends.local import lab_name, naming, netns

from .support import lab_id, requires_netns

pytestmark = requires_netns
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

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
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: "y"}
spec: {containers: [{name: other, image: agnhost, ports: [{containerPort: 80}]}]}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny-web, namespace: x}
spec: {podSelector: {matchLabels: {app: web}}, policyTypes: [Ingress]}
"""

# Runs `npkit` with one function wrapped so that its n-th call SIGKILLs the process (SIGINT with
# NPKIT_TEST_SIGNAL=INT) before or after it runs.
KILLER = textwrap.dedent("""
    import os, shutil, signal, sys
    print(os.getpid(), flush=True)
    from npkit.lab.backends.local import backend, netns, server_pool
    owner, attribute = sys.argv[1].rsplit(".", 1)
    target = {"netns": netns, "backend": backend, "shutil": shutil, "ServerPool": server_pool.ServerPool}[owner]
    when, nth = sys.argv[2], int(sys.argv[3])
    sig = signal.SIGINT if os.environ.get("NPKIT_TEST_SIGNAL") == "INT" else signal.SIGKILL
    original, calls = getattr(target, attribute), [0]
    def wrapped(*args, **kwargs):
        calls[0] += 1
        if calls[0] == nth and when == "before":
            os.kill(os.getpid(), sig)
        result = original(*args, **kwargs)
        if calls[0] == nth and when == "after":
            os.kill(os.getpid(), sig)
        return result
    setattr(target, attribute, wrapped)
    from npkit.cli.main import main
    sys.exit(main(sys.argv[4:]))
""")

# (function, before/after, which call, whose leftovers): each a moment between two changes to the host.
# The preflight comes first: it records, creates and removes a throwaway namespace of its own.
POINTS = [
    ("netns.save_state", "after", 1, "preflight"),   # the preflight's namespace is recorded, not created
    ("backend.local_preflight", "after", 1, "none"),  # preflight done, nothing of the lab yet
    ("netns.save_state", "after", 2, "lab"),        # the lab is recorded, nothing exists yet
    ("netns.create_node", "before", 1, "lab"),      # the node namespace is recorded, not created
    ("netns.create_node", "after", 1, "lab"),       # the node exists, its nftables table not loaded yet
    ("netns.create_pods", "before", 1, "lab"),      # pods recorded, not created
    ("netns.create_pods", "after", 1, "lab"),       # pod namespaces and veths exist, no servers
    ("ServerPool.start", "after", 1, "lab"),        # servers run (they exit with their parent)
    ("backend.probe_all", "before", 1, "lab"),      # policies loaded as an nftables table in the node
    ("netns.delete_netns", "after", 2, "lab"),      # teardown has removed one namespace of four
    ("shutil.rmtree", "before", 2, "lab"),          # teardown removed the namespaces, not the state directory
]


OURS = lab_id("x").rsplit("-", 2)[0] + "-"  # every lab id this test process makes starts so (support.lab_id)
CHILDREN: set[int] = set()  # processes this test started: their preflight namespaces are ours too


def _ours(lab: str | None) -> bool:
    if not lab:
        return False
    return lab_name(lab).startswith(OURS) or any(lab == f"preflight-{pid}" for pid in CHILDREN)


def host_state() -> dict[str, object]:
    """What a lab may change on this machine: `ip netns list`, `nft list tables`, /run/npkit.

    This machine may be shared with other npkit runs (other test sessions) whose labs come and go, and
    whose runs sweep what crashed runs left: so a snapshot holds every entry of this test's own labs (all
    its lab ids, its children's preflight namespaces), and the whole picture (nft tables, whether
    /run/npkit exists) only when no other lab is present."""
    names = [line.split()[0] for line in subprocess.run(["ip", "netns", "list"], capture_output=True, text=True,
                                                        check=True).stdout.splitlines() if line.strip()]
    entries = sorted(os.listdir(netns.STATE_ROOT)) if os.path.isdir(netns.STATE_ROOT) else None
    others = [n for n in names if naming.lab_of_netns(n) and not _ours(naming.lab_of_netns(n))]
    others += [d for d in entries or [] if not _ours(d)]
    state: dict[str, object] = {
        "ip netns list (ours)": sorted(n for n in names if _ours(naming.lab_of_netns(n))),
        "/run/npkit (ours)": [d for d in entries or [] if _ours(d)],
        "nft list tables": sorted(subprocess.run(["nft", "list", "tables"], capture_output=True, text=True,
                                                 check=True).stdout.splitlines()),
    }
    if not others:  # nobody else's lab here: the whole picture must match too
        state["ip netns list"] = sorted(names)
        state["/run/npkit"] = "absent" if entries is None else entries
    return state


def same_host(after: dict[str, object], before: dict[str, object]) -> bool:
    """Equal on everything both snapshots hold (the whole picture only if both had it)."""
    return all(after[k] == before[k] for k in after.keys() & before.keys())


def servers_of(lab: str) -> list[int]:
    pids = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if f"--lab\0{lab}\0".encode() in f.read():
                    pids.append(int(pid))
        except OSError:
            pass
    return pids


def run(argv: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """subprocess.run, remembering the child's pid (its preflight namespace is ours)."""
    with subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                          env=env) as child:
        CHILDREN.add(child.pid)
        out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(argv, child.returncode, out, err)


def npkit(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return run([sys.executable, "-m", "npkit.cli.main", *args], env=env)


@pytest.fixture
def case(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text(CASE)
    return str(path)


@pytest.mark.parametrize("point", POINTS, ids=lambda p: f"{p[1]}-{p[0]}-{p[2]}")
def test_sigkill_at_any_point_then_the_next_run_restores_the_host_exactly(point, case):
    before = host_state()
    name = lab_id("kill")
    function, when, nth, left = point
    killed = run([sys.executable, "-c", KILLER, function, when, str(nth), "lab", "run", "-f", case,
                  "--backend", "local", "--lab-id", name, "--no-canary", "--timeout", "0.3"])
    assert killed.returncode == -signal.SIGKILL, killed.stderr

    status = npkit("lab", "status", "--backend", "local")  # the truth about what was left, before anything goes
    assert status.returncode == 0, status.stderr
    leftover = {"lab": name, "preflight": f"preflight-{killed.stdout.split()[0]}", "none": None}[left]
    # (Another npkit run on this machine may sweep the leftovers first: then there is nothing left to report.)
    still_there = bool(leftover) and os.path.isdir(netns.state_dir(lab_name(leftover)))
    if still_there:
        assert f"- {leftover}: left by a process that has exited" in status.stdout, status.stdout
    if not leftover:
        assert same_host(host_state(), before)

    following = npkit("lab", "run", "-f", case, "--backend", "local", "--lab-id", lab_id("next"), "--no-canary",
                      "--timeout", "0.3", "-o", "json")
    assert following.returncode == 0, following.stderr
    if still_there:
        assert f"note: removed local lab {leftover}, left by a run that has exited" in following.stderr
    assert same_host(host_state(), before)
    assert host_state()["ip netns list (ours)"] == []  # (ours were none before: fresh lab ids)
    assert servers_of(lab_name(name)) == []


def test_after_a_kill_lab_clean_removes_the_leftovers_and_never_says_nothing_is_left_while_something_is(case):
    before = host_state()
    name = lab_id("kill")
    killed = run([sys.executable, "-c", KILLER, "ServerPool.start", "after", "1", "lab", "run", "-f", case,
                  "--backend", "local", "--lab-id", name])
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    node = naming.node_netns(lab_name(name))
    assert node in host_state()["ip netns list (ours)"]  # type: ignore[operator]
    clean = npkit("lab", "clean", "--backend", "local", "--lab-id", name)
    assert clean.returncode == 0, clean.stderr
    assert clean.stdout.startswith(f"lab {name}: removed network namespaces ") and node in clean.stdout
    assert clean.stdout.rstrip().endswith("nothing of it is left on this machine")
    assert same_host(host_state(), before)


def test_without_a_backend_option_lab_run_changes_nothing_on_this_machine():
    """As root, with no --backend and no NPKIT_LAB_BACKEND: the lab predicts and says how to opt in."""
    env = {k: v for k, v in os.environ.items() if k != "NPKIT_LAB_BACKEND"}
    before = host_state()
    run = npkit("lab", "run", "-f", "labs/scenarios/lab-02-np-demo.yaml", env=env)
    assert run.returncode == 0, run.stderr
    assert same_host(host_state(), before)
    assert "PREDICTED, NOT OBSERVED" in run.stdout
    assert "--backend local" in run.stderr and "NPKIT_LAB_BACKEND=local" in run.stderr


# The child says when it is where the console script is after its one import (npkit.cli.main, ~3 ms:
# npkit's package imports its exports lazily): from there on, npkit's start-up (loading the engine and
# numpy, the parser, choosing the backend, preflight, deploy) is what is interrupted. (Before that is
# Python's own start-up, which no program's code can catch.)
STARTED = "import sys; from npkit.cli.main import main; print('started', flush=True); sys.exit(main(sys.argv[1:]))"


@pytest.mark.parametrize("delay", [0.0, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.3, 0.6, 1.0])
def test_ctrl_c_at_any_moment_of_start_up_exits_130_without_a_traceback_and_leaves_nothing(delay, case):
    before = host_state()
    child = subprocess.Popen([sys.executable, "-c", STARTED, "lab", "run", "-f", case, "--backend", "local",
                              "--lab-id", lab_id("int"), "--timeout", "5"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO)
    CHILDREN.add(child.pid)
    assert child.stdout.readline() == "started\n"
    time.sleep(delay)
    child.send_signal(signal.SIGINT)
    _, err = child.communicate(timeout=60)
    assert child.returncode == 130, err
    assert "Traceback" not in err and "KeyboardInterrupt" not in err, err
    assert same_host(host_state(), before)


# Ctrl-C inside clean-up code too: the clean-up is finished before the command exits 130.
INTERRUPTS = [
    ("netns.remove_lab", "before", 1),   # in the preflight's removal of its throwaway namespace
    ("netns.create_pods", "after", 1),   # mid-deploy: the new pods are removed again
    ("backend.probe_all", "before", 1),  # everything deployed
    ("netns.delete_netns", "after", 2),  # in the final teardown
]


@pytest.mark.parametrize("point", INTERRUPTS, ids=lambda p: f"{p[1]}-{p[0]}-{p[2]}")
def test_ctrl_c_anywhere_in_a_run_even_in_its_clean_up_exits_130_and_leaves_nothing(point, case):
    before = host_state()
    function, when, nth = point
    interrupted = run([sys.executable, "-c", KILLER, function, when, str(nth), "lab", "run", "-f", case, "--backend",
                       "local", "--lab-id", lab_id("int"), "--no-canary", "--timeout", "0.3"],
                      env={**os.environ, "NPKIT_TEST_SIGNAL": "INT"})
    assert interrupted.returncode == 130, interrupted.stderr
    assert "Traceback" not in interrupted.stderr and "npkit: interrupted" in interrupted.stderr
    assert same_host(host_state(), before)
    assert host_state()["ip netns list (ours)"] == [] and host_state()["/run/npkit (ours)"] == []

"""Ctrl-C at any moment of a real `npkit` process: exit 130, one line on stderr, never a traceback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# What a user runs: the installed console script (`python -m` adds start-up of its own, in runpy).
SCRIPT = Path(sys.executable).parent / "npkit"
COMMAND = [str(SCRIPT)] if SCRIPT.exists() else [sys.executable, "-c", "import sys; from npkit.cli.main import main; "
                                                                       "sys.exit(main())"]


def _big_input(path: Path, pods: int = 1500, policies: int = 150) -> Path:
    docs = []
    for n in range(10):
        docs.append(f"apiVersion: v1\nkind: Namespace\nmetadata: {{name: ns{n}, labels: {{team: t{n % 3}}}}}\n")
    for i in range(pods):
        docs.append(f"apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}, namespace: ns{i % 10}, labels: "
                    f"{{app: a{i % 7}, tier: t{i % 3}}}}}\nspec: {{containers: [{{name: c, image: x, ports: "
                    f"[{{containerPort: 80, name: http}}]}}]}}\nstatus: {{podIP: 10.1.{i // 250}.{i % 250 + 1}}}\n")
    for i in range(policies):
        docs.append(f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {{name: np{i}, namespace: "
                    f"ns{i % 10}}}\nspec:\n  podSelector: {{matchLabels: {{app: a{i % 7}}}}}\n  ingress:\n"
                    f"  - from: [{{namespaceSelector: {{matchLabels: {{team: t{i % 3}}}}}}}]\n"
                    f"    ports: [{{port: http}}, {{port: {8000 + i}}}]\n")
    path.write_text("---\n".join(docs))
    return path


def _wait_until(check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the npkit process never reached the expected stage")
        time.sleep(0.002)


def _in_npkit_code(pid: int) -> bool:
    """numpy is being imported: npkit/__init__ and the CLI module are in, so main() is running."""
    try:
        return "numpy" in Path(f"/proc/{pid}/maps").read_text()
    except OSError:
        return False


def _reading_stdin(pid: int) -> bool:
    try:
        return "pipe_read" in Path(f"/proc/{pid}/wchan").read_text()
    except OSError:
        return False


def _interrupt(args: list[str], stage, delay: float = 0.0, stdin: int | None = subprocess.DEVNULL) -> tuple[int, str]:
    """Start `npkit ARGS`, wait for `stage(pid)`, then `delay` seconds, then press Ctrl-C."""
    process = subprocess.Popen(COMMAND + args, cwd=ROOT, stdin=stdin, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, env=dict(os.environ, NPKIT_DEBUG=""))
    try:
        _wait_until(lambda: process.poll() is not None or stage(process.pid))
        time.sleep(delay)
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=120)
    finally:
        process.kill()
    return process.returncode, err


pytestmark = pytest.mark.skipif(not Path("/proc/self/wchan").exists(), reason="needs Linux /proc")


def test_ctrl_c_during_start_up_loading_evaluation_and_output(tmp_path):
    big = str(_big_input(tmp_path / "big.yaml"))
    outcomes = {}
    for delay in (0.0, 0.2, 0.4, 0.7, 1.0, 1.5, 2.2):
        code, err = _interrupt(["matrix", "-f", big, "--port", "80", "--port", "8001"], _in_npkit_code, delay)
        assert "Traceback" not in err and "Exception ignored" not in err, err
        assert code in (130, 0), (delay, code, err)  # 0: it finished before the signal came
        if code == 130:
            assert err.endswith("npkit: interrupted\n")
        outcomes[delay] = code
    assert list(outcomes.values()).count(130) >= 3, outcomes


def test_ctrl_c_while_the_commands_are_imported():
    # Python's own start-up (~20 ms) comes before any npkit code: a signal then is Python's to report.
    code, err = _interrupt(["check", "-f", "-"], _in_npkit_code, stdin=subprocess.PIPE)
    assert (code, err) == (130, "npkit: interrupted\n")


def test_ctrl_c_while_waiting_for_stdin():
    code, err = _interrupt(["check", "-f", "-"], _reading_stdin, stdin=subprocess.PIPE)
    assert (code, err) == (130, "npkit: interrupted\n")

"""`make course` really starts JupyterLab on the welcome notebook (the README's first command)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(not (ROOT / ".venv" / ".course").exists(), reason="run `make course` or `make test` first")
def test_make_course_serves_jupyterlab(tmp_path):
    port = _free_port()
    env = dict(os.environ, BROWSER="true", JUPYTER_RUNTIME_DIR=str(tmp_path))  # no browser window in tests
    proc = subprocess.Popen(["make", "course", f"PORT={port}"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            seen.append(line)
            if f"127.0.0.1:{port}/lab" in line:
                break
        text = "".join(seen)
        assert f"127.0.0.1:{port}/lab" in text, text
        assert "notebooks/00-welcome.ipynb" in text  # make shows the command it runs
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)

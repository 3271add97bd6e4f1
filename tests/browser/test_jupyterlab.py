"""The widgets in a real browser: JupyterLab on localhost, Chromium driven by Playwright.

Starts `jupyter lab` (from this venv) on a free port with a token and throw-away runtime,
config, settings and workspace directories, opens a copy of playground.ipynb, runs all
cells, types a policy into the playground's editor, and checks that the matrix, the status
and a cell's explanation change in the page. A screenshot goes to tests/artifacts/.
The server (and its kernel) is always stopped.

Needs Debian's chromium (/usr/bin/chromium) and PyPI playwright; never `playwright install`.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

HERE = Path(__file__).parent
ARTIFACTS = HERE.parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
NOTEBOOK = "playground.ipynb"

DENY_X_A = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: only-namespace-x-to-a
  namespace: x
spec:
  podSelector:
    matchLabels:
      app: a
  ingress:
  - from:
    - podSelector:
        matchLabels:
          app: nobody
"""

sync_api = pytest.importorskip("playwright.sync_api", reason="PyPI playwright is not installed")
if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium; .ci/run does)", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_up(url: str, server: subprocess.Popen, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s:\n{log.read_text()[-3000:]}")


def _wait_for_kernel(page, timeout: float = 60) -> None:
    """Until the notebook's kernel is idle; accepts JupyterLab's kernel dialog if it asks."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        dialog = page.locator(".jp-Dialog .jp-mod-accept")
        if dialog.count():
            dialog.first.click()
        if "| Idle" in page.locator(".jp-StatusBar-Widget").all_inner_texts().__str__():
            return
        time.sleep(0.25)
    raise TimeoutError("the notebook's kernel did not become idle")


def _stop(server: subprocess.Popen) -> None:
    """Stop the server and everything it started (its kernel): the process group we created."""
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=5)
    try:  # kernels left behind in the group
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


@pytest.fixture
def jupyterlab(tmp_path):
    """(base URL, token) of a JupyterLab serving a copy of the test notebook."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(HERE / NOTEBOOK, root / NOTEBOOK)
    port, token = _free_port(), "npkit-browser-test"
    env = dict(os.environ)
    for var, sub in (("JUPYTER_RUNTIME_DIR", "runtime"), ("JUPYTER_CONFIG_DIR", "config"),
                     ("JUPYTERLAB_SETTINGS_DIR", "settings"), ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
                     ("IPYTHONDIR", "ipython")):
        env[var] = str(tmp_path / sub)
    jupyter = Path(sys.executable).parent / "jupyter"
    log = tmp_path / "jupyter.log"
    command = [str(jupyter), "lab", "--no-browser", "--allow-root", f"--port={port}", "--ip=127.0.0.1",
               f"--ServerApp.token={token}", f"--ServerApp.root_dir={root}",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with open(log, "w") as out:
        server = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root,
                                  start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until_up(f"{base}/api/status?token={token}", server, log)
        yield base, token
    finally:
        _stop(server)


def test_typing_a_policy_changes_the_matrix_and_the_explanation(jupyterlab):
    base, token = jupyterlab
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.goto(f"{base}/lab/tree/{NOTEBOOK}?token={token}", timeout=60_000)
            page.wait_for_selector(".jp-Notebook", timeout=60_000)
            _wait_for_kernel(page)
            page.click(".lm-MenuBar-itemLabel:text-is('Run')")
            page.click(".lm-Menu-itemLabel:text-is('Run All Cells')")

            cell = page.locator(".npkit-playground button[title^='x/b → x/a TCP/80']")
            cell.wait_for(timeout=60_000)
            assert cell.get_attribute("title").startswith("x/b → x/a TCP/80: allowed")
            assert "0 policies loaded" in page.locator(".npkit-playground").inner_text()

            editor = page.locator(".npkit-editor textarea")
            editor.fill(DENY_X_A)
            page.wait_for_selector(".npkit-playground button[title^='x/b → x/a TCP/80: denied']", timeout=20_000)
            assert cell.inner_text().strip() == "·*"
            assert "1 policy loaded" in page.locator(".npkit-playground").inner_text()

            cell.click()
            explanation = page.locator(".npkit-explanation")
            page.wait_for_function(
                "() => document.querySelector('.npkit-explanation').innerText.includes('only-namespace-x-to-a')",
                timeout=20_000)
            assert "DENIED" in explanation.inner_text()

            editor.press("End")
            editor.press_sequentially("\n  policyTypes: [Ingres]", delay=20)
            page.wait_for_function(  # the error, inline, with its field path
                "() => document.querySelector('.npkit-playground').innerText.includes('spec.policyTypes[0]')",
                timeout=20_000)
            assert "stale" in page.locator(".npkit-playground").inner_text()
            assert cell.inner_text().strip() == "·*"  # the last good matrix is still shown
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-playground.png"), full_page=True)
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "jupyterlab-failure.png"), full_page=True)
            raise
        finally:
            browser.close()

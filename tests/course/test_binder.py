"""The Binder configuration builds the environment binder/README.md promises.

repo2docker needs Docker, which CI does not have, so this does what repo2docker would do after its
own base image: run binder/postBuild into a clean virtual environment (the kernel's), then start a
kernel-side Python through binder/start and use the course. Reusing pip's cache keeps it to about
half a minute; with no cache and no package index it is skipped, and says so.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"
OFFLINE = re.compile(r"NewConnectionError|Failed to establish a new connection|Temporary failure in name resolution"
                     r"|Network is unreachable|ConnectTimeout|No route to host")

pytestmark = pytest.mark.binder


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A clean venv with binder/postBuild run into it, as repo2docker would."""
    prefix = tmp_path_factory.mktemp("binder") / "venv"
    venv.create(prefix, with_pip=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH"))}
    env.update(KERNEL_PYTHON_PREFIX=str(prefix), NB_PYTHON_PREFIX=str(prefix),
               PATH=f"{prefix / 'bin'}{os.pathsep}{env['PATH']}",
               NPKIT_PIP_CACHE="keep",  # the Binder image drops pip's cache; a test run reuses it
               PIP_NO_COMPILE="1")  # byte-compiling is a third of the time and changes nothing here
    build = subprocess.run(["bash", str(BINDER / "postBuild")], cwd=ROOT, env=env, capture_output=True,
                           text=True, stdin=subprocess.DEVNULL, timeout=900)
    if build.returncode != 0 and OFFLINE.search(build.stdout + build.stderr):
        pytest.skip("offline: pip could not reach the package index and the pip cache lacks a locked version")
    assert build.returncode == 0, build.stdout[-3000:] + build.stderr[-3000:]
    return prefix


def _in_binder(prefix: Path, *command: str) -> subprocess.CompletedProcess[str]:
    """Run a command in the built environment the way a Binder session starts (through binder/start)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "NPKIT_"))}
    env["PATH"] = f"{prefix / 'bin'}{os.pathsep}{env['PATH']}"
    return subprocess.run([str(BINDER / "start"), *command], cwd=ROOT, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_the_runtime_is_the_python_this_test_builds_with():
    # The build below uses this interpreter, so it stands for Binder's only if the versions agree.
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert runtime == f"python-{sys.version_info.major}.{sys.version_info.minor}", (
        f"binder/runtime.txt says {runtime}; run this test with that Python")


def test_the_course_imports_and_labs_only_predict(binder_env: Path):
    code = ("import npkit, npkit.course, npkit.widgets, ipywidgets, anywidget, matplotlib, kubernetes\n"
            "print(npkit.course.intro('L1').text())")
    result = _in_binder(binder_env, str(binder_env / "bin" / "python"), "-c", code)
    assert result.returncode == 0, result.stderr
    assert "prediction-only mode" in result.stdout  # binder/start chose the predict-only backend


def test_jupyterlab_has_the_widget_extensions(binder_env: Path):
    result = _in_binder(binder_env, str(binder_env / "bin" / "jupyter"), "labextension", "list")
    listing = re.sub(r"\x1b\[[0-9;]*m", "", result.stdout + result.stderr)
    assert result.returncode == 0, listing
    for extension in ("@jupyter-widgets/jupyterlab-manager", "anywidget"):
        assert re.search(rf"{re.escape(extension)} v\S+ enabled OK", listing), listing


def test_every_package_is_at_its_locked_version(binder_env: Path):
    freeze = _in_binder(binder_env, str(binder_env / "bin" / "python"), "-m", "pip", "list", "--format=freeze")
    pairs = (line.split("==", 1) for line in freeze.stdout.splitlines() if "==" in line)
    installed: dict[str, str] = {canonicalize_name(name): version for name, version in pairs}
    locked: dict[str, str] = {}
    for line in (ROOT / "constraints.txt").read_text().splitlines():
        if line and not line.startswith((" ", "#")):
            pin, _, marker = line.partition(" ; ")
            name, version = pin.split("==")
            if not marker or Marker(marker).evaluate():
                locked[canonicalize_name(name)] = version
    assert "jupyterlab" in installed and "npkit" in installed
    wrong = {name: (version, locked[name]) for name, version in installed.items()
             if name in locked and version != locked[name]}
    unlocked = set(installed) - set(locked) - {"npkit", "pip", "setuptools", "wheel"}
    assert not wrong, f"installed, locked: {wrong}"
    assert not unlocked, f"installed but not in constraints.txt (run `make lock`): {sorted(unlocked)}"

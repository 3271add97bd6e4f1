"""binder/ follows repo2docker's conventions, and the badge opens a notebook that exists."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BINDER = ROOT / "binder"


def test_runtime_matches_the_supported_pythons():
    runtime = (BINDER / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.\d+", runtime)
    requires = re.search(r'requires-python = ">=3\.(\d+)"', (ROOT / "pyproject.toml").read_text())
    assert requires and int(runtime.split(".")[1]) >= int(requires.group(1))


def test_scripts_are_executable_shell_scripts_and_start_hands_over():
    for name in ("postBuild", "start"):
        script = BINDER / name
        assert os.access(script, os.X_OK), f"binder/{name} must be executable"
        assert script.read_text().startswith("#!/bin/bash\n")
        subprocess.run(["bash", "-n", str(script)], check=True)
    assert (BINDER / "start").read_text().rstrip().endswith('exec "$@"')
    assert "set -e" in (BINDER / "postBuild").read_text()
    assert '-e ".[course]"' in (BINDER / "postBuild").read_text()


def test_start_selects_prediction_only_labs():
    out = subprocess.run([str(BINDER / "start"), "env"], capture_output=True, text=True, check=True,
                         env={"PATH": os.environ["PATH"]}).stdout
    assert "NPKIT_LAB_BACKEND=predict" in out.splitlines()


def test_the_badge_points_at_the_welcome_notebook():
    text = (BINDER / "README.md").read_text()
    url = re.search(r"\(https://mybinder\.org/v2/gh/OWNER/npkit/HEAD\?urlpath=lab/tree/([^)]+)\)", text)
    assert url and (ROOT / url.group(1)).exists()
    assert "placeholder" in text

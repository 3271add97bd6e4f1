"""The browser code committed in the package is what js/ builds, and ships with the package."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from npkit.widgets.frontend import _static, bundle

JS = Path(__file__).resolve().parents[2] / "js"


def test_the_loader_and_the_library_are_in_the_package():
    code, digest = bundle()
    assert "EditorView" in code or "cm-editor" in code  # CodeMirror is inside, no CDN
    assert "http://" not in _static("loader.js").replace("http://www.w3.org", "")
    assert "https://" not in _static("loader.js")
    assert len(digest) == 16 and len(_static("loader.js")) < 8_000  # saved with every widget: keep it small


@pytest.mark.skipif(shutil.which("node") is None or shutil.which("npm") is None, reason="node and npm are not installed")
def test_the_committed_bundle_is_built_from_the_sources():
    if not (JS / "node_modules").is_dir():
        installed = subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=JS, capture_output=True, text=True,
                                   timeout=300)
        if installed.returncode != 0:
            pytest.skip(f"npm ci failed (offline?): {installed.stderr[-500:]}")
    check = subprocess.run(["node", "build.mjs", "--check"], cwd=JS, capture_output=True, text=True, timeout=120)
    assert check.returncode == 0, f"{check.stderr} — rebuild with `make js` and commit npkit/widgets/static/"

"""`pip install npkit` without the `cluster` extra: the evaluator, the widgets and the CLI work with no
Kubernetes client installed (it is imported only by code that talks to a cluster)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASE = ROOT / "tests/data/conformance/k8s/010-podselector-and-nsselector.yaml"


@pytest.fixture
def no_kubernetes(tmp_path: Path) -> dict[str, str]:
    """An environment in which `import kubernetes` fails the way it does when it is not installed."""
    fake = tmp_path / "kubernetes"
    fake.mkdir()
    (fake / "__init__.py").write_text("raise ModuleNotFoundError(\"No module named 'kubernetes'\", name='kubernetes')\n")
    path = os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")]))
    return dict(os.environ, PYTHONPATH=path)


def _python(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=120)


def test_the_blocker_really_blocks(no_kubernetes):
    result = _python(no_kubernetes, "-c", "import kubernetes")
    assert result.returncode == 1 and "No module named 'kubernetes'" in result.stderr


def test_the_library_imports_without_kubernetes(no_kubernetes):
    modules = ["npkit", "npkit.engine", "npkit.loading", "npkit.explain", "npkit.matrix", "npkit.diff",
               "npkit.lint", "npkit.widgets", "npkit.cli.main"]
    code = f"import importlib, sys\nfor m in {modules!r}: importlib.import_module(m)\nassert 'kubernetes' not in sys.modules"
    result = _python(no_kubernetes, "-c", code)
    assert result.returncode == 0, result.stderr


def test_the_cli_helps_and_checks_without_kubernetes(no_kubernetes):
    helped = _python(no_kubernetes, "-m", "npkit.cli.main", "--help")
    assert helped.returncode == 0, helped.stderr
    assert "check" in helped.stdout and "matrix" in helped.stdout
    checked = _python(no_kubernetes, "-m", "npkit.cli.main", "check", "-f", str(CASE))
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout.startswith("OK: "), checked.stdout


def test_kubernetes_is_the_cluster_extra_which_course_and_test_include():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    assert not [d for d in project["dependencies"] if d.startswith("kubernetes")]
    assert [d for d in extras["cluster"] if d.startswith("kubernetes")]
    assert "npkit[cluster]" in extras["course"]
    assert any(d.startswith("npkit[") and "cluster" in d for d in extras["test"])

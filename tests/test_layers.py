"""The layering in CONTRIBUTING.md: import-linter's contracts (pyproject.toml) hold, catch what they
promise to catch, and cover every package; plus the part of "the engine does no I/O" that imports
cannot show."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "npkit"
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    command = Path(sys.executable).with_name("lint-imports")
    if not command.exists():
        pytest.skip("import-linter is not installed (it comes with the `test` extra)")
    return subprocess.run([str(command), "--no-cache", "--no-logo"], cwd=cwd, capture_output=True, text=True)


def _layered_packages() -> set[str]:
    layers = next(c for c in CONFIG["contracts"] if c["type"] == "layers")["layers"]
    names = set()
    for layer in layers:
        for name in layer.replace("|", ":").split(":"):
            names.add(name.strip().strip("()").removeprefix("npkit."))
    return names


def test_every_package_has_a_layer():
    # import-linter checks only the layers it is told about: a new package must be given one.
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    modules = {p.stem for p in PACKAGE.glob("*.py")} - {"__init__"}
    missing = (packages | modules) - {"data"} - _layered_packages()
    assert not missing, f"give these a layer in [tool.importlinter] of pyproject.toml: {sorted(missing)}"


def test_the_import_contracts_hold():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the package with one upward import, one sideways import and one I/O import."""
    root = tmp_path_factory.mktemp("layers")
    shutil.copytree(PACKAGE, root / "npkit", ignore=shutil.ignore_patterns("data", "__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", root)
    (root / "npkit" / "model" / "upward.py").write_text("from npkit.lint import lint\n")
    (root / "npkit" / "widgets" / "sideways.py").write_text("import npkit.lab\n")
    (root / "npkit" / "engine" / "io.py").write_text("import subprocess\n")
    return root


def test_the_contracts_catch_upward_sideways_and_io_imports(broken_copy: Path):
    result = _lint_imports(broken_copy)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert "Layers: nothing below imports from above BROKEN" in out
    assert "npkit.model.upward -> npkit.lint" in out
    assert "Widgets and course are independent of lab and cluster BROKEN" in out
    assert "The engine does no I/O BROKEN" in out and "npkit.engine.io -> subprocess" in out


def test_the_engine_does_not_print_open_or_input():
    # Builtins need no import, so no import contract sees them.
    calls = {"print", "open", "input", "breakpoint"}
    problems = []
    for path in sorted((PACKAGE / "engine").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                problems.append(f"{path.relative_to(ROOT)}:{node.lineno} calls {node.func.id}()")
    assert not problems, "\n".join(problems)

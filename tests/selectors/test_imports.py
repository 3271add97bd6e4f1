"""The selectors layer may import only npkit.model, npkit.errors, npkit.i18n (its messages), itself, the standard
library and numpy."""

import ast
import sys
from pathlib import Path

import npkit.selectors

ROOT = Path(npkit.selectors.__file__).parent
ALLOWED_THIRD_PARTY = {"numpy"}


def _imports(path: Path) -> list[str]:
    package = "npkit." + ".".join(path.relative_to(ROOT.parent).with_suffix("").parts[:-1])
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.append(".".join(base + ([node.module] if node.module else [])))
            else:
                found.append(node.module or "")
    return found


def _allowed(module: str) -> bool:
    top = module.split(".")[0]
    return (
        module.startswith(("npkit.model", "npkit.selectors")) or module in ("npkit.errors", "npkit.i18n")
        or top in sys.stdlib_module_names
        or top in ALLOWED_THIRD_PARTY
    )


def test_selectors_import_only_model_stdlib_and_numpy():
    files = sorted(ROOT.rglob("*.py"))
    assert len(files) >= 8
    bad = {f"{p.relative_to(ROOT)}: {m}" for p in files for m in _imports(p) if not _allowed(m)}
    assert not bad


def test_the_check_itself_resolves_relative_imports():
    assert _imports(ROOT / "k8s.py").count("npkit.model.k8s") == 1
    assert "npkit.selectors.index" in _imports(ROOT / "calico" / "ast.py")
    assert not _allowed("npkit.engine.universe") and not _allowed("yaml")

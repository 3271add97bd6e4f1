"""Nothing below imports from above: the layering in CONTRIBUTING.md, checked on every import."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "npkit"

# Lower number = lower layer. A module may import its own layer and the ones below.
LAYERS = {
    "model": 0,
    "selectors": 1,
    "loading": 2,
    "engine": 3,
    "explain": 4, "matrix": 4, "diff": 4, "connlist": 4,
    "lint": 5,
    "widgets": 6, "lab": 6, "course": 6, "cluster": 6,
    "cli": 7,
}


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "npkit" else None


def _imports(path: Path) -> list[str]:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    here = list(rel.parts)
    if here[-1] == "__init__":
        here = here[:-1]
    else:
        here = here[:-1]  # the package containing this module
    out = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            out += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here[: len(here) - (node.level - 1)]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            out.append(mod)
            out += [f"{mod}.{a.name}" for a in node.names if mod == "npkit"]
    return [m for m in out if m.startswith("npkit.")]


def test_every_package_has_a_layer():
    packages = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    packages.discard("data")
    assert packages <= set(LAYERS), f"give these packages a layer in LAYERS: {packages - set(LAYERS)}"


def test_no_module_imports_from_a_higher_layer():
    problems = []
    for path in sorted(PACKAGE.rglob("*.py")):
        own = _layer_of(".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts))
        if own is None or own not in LAYERS:
            continue  # npkit/__init__.py is the facade and may re-export anything
        for mod in _imports(path):
            target = _layer_of(mod)
            if target in LAYERS and LAYERS[target] > LAYERS[own]:
                problems.append(f"{path.relative_to(PACKAGE.parent)} ({own}) imports {mod} ({target})")
    assert not problems, "\n".join(problems)


def test_the_engine_does_no_io():
    forbidden = {"subprocess", "socket", "requests", "kubernetes", "ipywidgets", "matplotlib"}
    calls = {"print", "open", "input"}
    problems = []
    for path in sorted((PACKAGE / "engine").rglob("*.py")):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                problems += [f"{path.name} imports {n}" for n in names if n.split(".")[0] in forbidden]
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in calls:
                problems.append(f"{path.name}:{node.lineno} calls {node.func.id}()")
    assert not problems, "\n".join(problems)

"""The course notebooks as files: built from their sources, opening with their intro, showing their exercises."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from npkit.course import Exercise, intro

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]-*.py"))


def _build_module():
    spec = importlib.util.spec_from_file_location("notebook_build", ROOT / "notebooks" / "src" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_notebook_is_what_its_source_builds(source):
    build = _build_module()
    target = build.target(source)
    assert target.exists(), f"{target.name} is missing: run notebooks/src/build.py {source.name}"
    assert build.main(["--check", source.name]) == 0, f"{target.name} is out of date: run notebooks/src/build.py"


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_each_notebook_opens_with_its_own_intro(notebook):
    number = notebook.name[:2]
    first = _code_cells(notebook)[0]
    assert re.search(rf'^intro\("{number}"\)$', first, re.M), f"the first code cell must end in intro(\"{number}\")"
    assert intro(number).file == f"notebooks/{notebook.name}"


@pytest.mark.parametrize("exercise", [e for e in Exercise.all() if e.notebook.isdigit()], ids=lambda e: e.id)
def test_each_exercise_is_shown_in_its_notebook(exercise):
    path = ROOT / intro(exercise.notebook).file
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    code = "\n".join(_code_cells(path))
    assert f'Exercise.get("{exercise.id}")' in code

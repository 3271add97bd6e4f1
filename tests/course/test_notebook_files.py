"""The course notebooks and labs as files: built from their sources, opening with their intro, showing their exercises."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import pytest

from npkit.course import Exercise, intro

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
LABS = sorted((ROOT / "labs").glob("lab-[0-9][0-9]-*.ipynb"))
# The zh-CN edition (same file names; tests/i18n/test_editions.py checks the languages).
CHINESE = sorted((ROOT / "notebooks" / "zh-CN").glob("[0-9][0-9]-*.ipynb")) + sorted(
    (ROOT / "labs" / "zh-CN").glob("lab-[0-9][0-9]-*.ipynb"))


def _build_module():
    spec = importlib.util.spec_from_file_location("build_notebooks", ROOT / "tools" / "notebooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build_module()
SOURCES = BUILD.sources()


def _code_cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_each_notebook_is_what_its_source_builds(source):
    target = BUILD.target(source)
    assert target.exists(), f"{target.name} is missing: run `make notebooks`"
    assert not BUILD.stale([source]), f"{target.name} is out of date (edited by hand, or not rebuilt): run `make notebooks`"


def test_every_notebook_and_lab_has_a_source():
    built = {BUILD.target(s) for s in SOURCES}
    assert set(NOTEBOOKS + LABS) == built
    assert set(CHINESE) == {BUILD.target(s, "zh-CN") for s in SOURCES}
    assert len(LABS) == 4 and len(NOTEBOOKS) == 11


def test_a_hand_edited_notebook_is_reported_stale(tmp_path):
    source = tmp_path / "src" / "99-x.py"
    source.parent.mkdir()
    source.write_text("# %% [markdown]\n# # Title\n\n# %% tags=[\"check\"]\nassert True\n", encoding="utf-8")
    assert BUILD.stale([source]) == [tmp_path / "99-x.ipynb", tmp_path / "zh-CN" / "99-x.ipynb"]  # missing
    for edition in BUILD.EDITIONS:
        BUILD.target(source, edition).parent.mkdir(exist_ok=True)
        BUILD.target(source, edition).write_text(BUILD.build(source, edition), encoding="utf-8")
    assert BUILD.stale([source]) == []
    cells = json.loads(BUILD.target(source).read_text(encoding="utf-8"))["cells"]
    assert [c["id"] for c in cells] == ["99-x-000", "99-x-001"]
    assert cells[1]["metadata"] == {"tags": ["check"], "jupyter": {"source_hidden": True}}  # a check cell is hidden
    BUILD.target(source).write_text(BUILD.build(source).replace("Title", "Edited"), encoding="utf-8")
    assert BUILD.stale([source]) == [tmp_path / "99-x.ipynb"]


def test_committed_notebooks_have_no_outputs():
    for path in NOTEBOOKS + LABS + CHINESE:
        for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def _intro_id(path: Path) -> str:
    return f"L{int(path.stem[4:6])}" if path.stem.startswith("lab-") else path.stem[:2]


def _edition_id(path: Path) -> str:
    return f"zh-CN/{path.stem}" if path.parent.name == "zh-CN" else path.stem


@pytest.mark.parametrize("notebook", NOTEBOOKS + [p for p in CHINESE if p.parent.parent.name == "notebooks"],
                         ids=_edition_id)
def test_each_notebook_opens_with_its_own_intro(notebook):
    number = _intro_id(notebook)
    first = _code_cells(notebook)[0]
    assert re.search(rf'^intro\("{number}"\)$', first, re.M), f"the first code cell must end in intro(\"{number}\")"
    assert intro(number).file == f"notebooks/{notebook.name}"


@pytest.mark.parametrize("lab", LABS + [p for p in CHINESE if p.parent.parent.name == "labs"], ids=_edition_id)
def test_each_lab_offers_the_opt_in_then_opens_with_its_card(lab):
    first, second = _code_cells(lab)[:2]
    assert first.rstrip().endswith("opt_in") and "local_opt_in()" in first  # nothing runs here unasked
    lab_id = lab.stem[:6]
    assert re.search(rf'open_lab\("{lab_id}", .*local=opt_in\)', second) and second.rstrip().endswith("lab.intro()")
    assert intro(_intro_id(lab)).file == f"labs/{lab.name}"  # the card reads the course map's entry


@pytest.mark.parametrize("exercise", [e for e in Exercise.all() if e.notebook.isdigit()], ids=lambda e: e.id)
def test_each_exercise_is_shown_in_its_notebook(exercise):
    path = ROOT / intro(exercise.notebook).file
    if not path.exists():
        pytest.skip(f"{path.name} is not written yet")
    code = "\n".join(_code_cells(path))
    assert f'Exercise.get("{exercise.id}")' in code

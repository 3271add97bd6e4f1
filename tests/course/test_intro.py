"""Every notebook starts by saying what it covers and how long it takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from npkit.course import intro, notebooks

ROOT = Path(__file__).resolve().parents[2]


def test_the_welcome_intro():
    text = intro("00").text()
    assert text.startswith("00 · Welcome: about 10 minutes")
    assert "model cluster" in text and "•" in text
    assert "about 10 minutes" in intro("00")._repr_html_()


def test_every_notebook_and_lab_has_an_intro_in_the_course_order():
    files = sorted(ROOT.glob("notebooks/*.ipynb")) + sorted(ROOT.glob("labs/*.ipynb"))
    assert [n.file for n in notebooks()] == [p.relative_to(ROOT).as_posix() for p in files]


def test_the_readme_course_table_lists_the_notebooks_in_the_same_order():
    rows = re.findall(r"^\| `(\d\d-[a-z-]+)` \|", (ROOT / "README.md").read_text(), re.M)
    assert rows == [Path(n.file).stem for n in notebooks() if n.file.startswith("notebooks/")]


def test_labs_say_when_they_only_predict(monkeypatch):
    monkeypatch.setenv("NPKIT_LAB_BACKEND", "predict")
    assert "prediction-only mode" in intro("L1").text()
    assert "prediction-only" not in intro("03").text()
    monkeypatch.delenv("NPKIT_LAB_BACKEND")
    assert "prediction-only" not in intro("L1").text()


def test_an_unknown_notebook_lists_the_known_ones():
    with pytest.raises(KeyError, match="choose one of 00, 01"):
        intro("99")

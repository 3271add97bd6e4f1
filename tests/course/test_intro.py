"""Every notebook starts by saying what it covers and how long it takes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from npkit.course import intro, notebooks

COURSE_MAP = Path("/work/shared/course-map.md")


def test_the_welcome_intro():
    text = intro("00").text()
    assert text.startswith("00 · Welcome: about 10 minutes")
    assert "model cluster" in text and "•" in text
    assert "about 10 minutes" in intro("00")._repr_html_()


@pytest.mark.skipif(not COURSE_MAP.exists(), reason="the shared course map is not on this machine")
def test_every_row_of_the_course_map_has_an_intro_in_the_same_order():
    rows = re.findall(r"^\| (L?\d+) \|", COURSE_MAP.read_text(), re.M)
    ids = [r.zfill(2) if not r.startswith("L") else r for r in rows]
    assert [n.id for n in notebooks()] == ids


def test_labs_say_when_they_only_predict(monkeypatch):
    monkeypatch.setenv("NPKIT_LAB_BACKEND", "predict")
    assert "prediction-only mode" in intro("L1").text()
    assert "prediction-only" not in intro("03").text()
    monkeypatch.delenv("NPKIT_LAB_BACKEND")
    assert "prediction-only" not in intro("L1").text()


def test_an_unknown_notebook_lists_the_known_ones():
    with pytest.raises(KeyError, match="choose one of 00, 01"):
        intro("99")

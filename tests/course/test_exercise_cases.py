"""Every exercise ships plausible wrong answers that must fail and alternative right answers that must pass.

The cases live in tests/course/exercise_cases/<exercise id>.yaml. A wrong answer must fail by
meaning (it loads without errors and some connection, pod or review finding differs); a right
answer that is worded, structured or spelled differently from the reference must pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from npkit.course import Exercise

CASES = Path(__file__).parent / "exercise_cases"


def _text(ex: Exercise, case: dict) -> str:
    if "yaml" in case:
        return case["yaml"]
    text = {"solution": ex.solution(), "starter": ex.starter_yaml}[case["from"]]
    for old, new in case.get("replace") or ():
        assert old in text, f"{ex.id}: {case['why']}: the text to replace is not in the {case['from']}: {old!r}"
        text = text.replace(old, new, 1)
    return text + case.get("append", "")


def _cases(kind: str) -> list:
    out = []
    for ex in Exercise.all():
        path = CASES / f"{ex.id}.yaml"
        data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
        for case in data.get(kind) or ():
            marks = pytest.mark.skipif(not ex.available, reason=f"npkit lacks {ex.missing}")
            out.append(pytest.param(ex, case, id=f"{ex.id}: {case['why']}", marks=marks))
    return out


def test_every_exercise_has_wrong_and_right_cases():
    for ex in Exercise.all():
        path = CASES / f"{ex.id}.yaml"
        assert path.exists(), f"{ex.id} ships no wrong/right answers ({path.name})"
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert len(data.get("wrong") or ()) >= 3, f"{ex.id}: at least three plausible wrong answers"
        assert len(data.get("right") or ()) >= 1, f"{ex.id}: at least one alternative right answer"
    assert {p.stem for p in CASES.glob("*.yaml")} == {ex.id for ex in Exercise.all()}


@pytest.mark.parametrize(("ex", "case"), _cases("wrong"))
def test_a_plausible_wrong_answer_fails_by_meaning(ex, case):
    grade = ex.check(_text(ex, case))
    assert not grade.errors, f"a wrong answer must load and fail by what it does: {grade.text()}"
    assert not grade.passed, f"{case['why']} passed"
    assert grade.headline().startswith("✗ ")


@pytest.mark.parametrize(("ex", "case"), _cases("right"))
def test_an_alternative_right_answer_passes(ex, case):
    text = _text(ex, case)
    assert text.strip() != ex.solution().strip()
    grade = ex.check(text)
    assert grade.passed, grade.text()

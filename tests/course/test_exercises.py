"""Exercises are graded by meaning: every reference passes, every starter fails, feedback names the cause first."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from npkit.course import Exercise, intro, model_cluster

EXERCISES = Exercise.all()
ROOT = Path(__file__).resolve().parents[2]


def _needs(ex: Exercise):
    return pytest.mark.skipif(not ex.available, reason=f"npkit lacks {', '.join(ex.missing)} for {ex.id}")


def _params():
    return [pytest.param(e, id=e.id, marks=_needs(e)) for e in EXERCISES]


@pytest.mark.parametrize("ex", _params())
def test_the_reference_solution_passes_its_own_checker(ex):
    grade = ex.check(ex.solution())
    assert grade.passed, grade.text()
    assert grade.compared > 0 and not grade.notes


@pytest.mark.parametrize("ex", _params())
def test_the_starter_fails_and_the_first_line_names_the_cause(ex):
    grade = ex.check(ex.starter_yaml)
    if ex.blank:
        assert grade.empty and grade.headline() == "✗ The editor is empty: write your answer there, then press Check."
        return
    assert not grade.passed and not grade.errors
    head = grade.headline()
    assert head.startswith("✗ ")
    if grade.differences:
        named = [d for d in grade.differences if head.startswith(f"✗ {d.label} should ")]
        assert named, head
        assert ", but " in head  # the engine's reason follows the connection


def test_the_course_has_enough_practice_some_from_a_blank_page():
    assert len(EXERCISES) >= 15
    assert len([e for e in EXERCISES if e.blank]) >= 3
    notebooks = {e.notebook for e in EXERCISES}
    assert notebooks >= {"00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10"}
    for ex in EXERCISES:
        assert ex.hints and ex.title and ex.task_markdown
        assert ex.probes or ex.kind == "selector"
        model_cluster(ex.cluster)  # exists
        assert ex.id in intro(ex.notebook).text()  # the notebook's intro announces it


def _notebook_code(number: str) -> str:
    path = ROOT / intro(number).file
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    return "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")


WIDGETS = {"playground": re.compile(r"Playground\(|\.playground\("), "selector lab": re.compile(r"SelectorLab\(")}


@pytest.mark.parametrize("ex", _params())
def test_hints_and_tasks_only_name_widgets_the_notebook_has(ex):
    code = _notebook_code(ex.notebook)
    words = (" ".join(ex.hints) + " " + ex.task_markdown).lower()
    for widget, shown in WIDGETS.items():
        if widget in words:
            assert shown.search(code), f"{ex.id} mentions the {widget}, which notebook {ex.notebook} does not show"


def test_feedback_groups_differences_by_namespace_with_counts():
    ex = Exercise.get("07-security-tier")
    grade = ex.check(ex.starter_yaml)
    text = grade.text()
    lines = text.splitlines()
    assert lines[0].startswith("✗ ") and "end of tier security" in lines[0]
    assert "default → default: 6 connections should be allowed; your policies deny them (TCP/80 ×5, TCP/8080)" in text
    assert len(lines) < 25  # grouped, not one line per connection
    assert len(grade.differences) > 20


def test_a_selector_exercise_grades_the_pods_it_selects():
    ex = Exercise.get("02-unlabelled-pods")
    grade = ex.check("matchExpressions:\n- {key: role, operator: NotIn, values: [frontend]}\n")
    assert not grade.passed
    assert grade.headline().startswith("✗ default/db should not be selected, but your selector selects it")
    assert "monitoring: 1 pod should not be selected; your selector selects it" in grade.text()
    broken = ex.check("matchExpressions:\n- {key: role, operator: doesnotexist}\n")
    assert broken.errors and not broken.passed


def test_names_are_part_of_the_grade_when_the_task_asks_for_them():
    ex = Exercise.get("10-best-practices")
    renamed = ex.check(ex.solution().replace("  name: allow-ingress-frontend-to-backend\n", "  name: foo\n"))
    assert not renamed.passed and not renamed.differences
    assert renamed.headline().startswith("✗ The traffic is right, but the review is not: NetworkPolicy default/foo")


def test_connections_to_addresses_outside_the_cluster_are_graded():
    ex = Exercise.get("06-zero-trust")
    any_port = ex.solution().replace("    ports:\n    - protocol: TCP\n      port: 5432\n", "")
    grade = ex.check(any_port)
    assert [d.label for d in grade.differences] == ["default/backend → 10.100.0.5 TCP/80"]
    assert grade.compared == 7 * 7 * len(ex.probes) + len(ex.external)


def test_yaml_errors_are_feedback_not_exceptions():
    grade = Exercise.get("05-default-deny-dns").check("kind: NetworkPolicy\nmetadata: {name: [x]}\n")
    assert not grade.passed and grade.errors
    assert "Your YAML has errors" in grade.text()


def test_the_learner_cannot_change_the_cluster():
    ex = Exercise.get("03-and-or")
    relabel = ("---\napiVersion: v1\nkind: Pod\nmetadata: {name: b, namespace: x, labels: {app: a}}\n"
               "spec: {containers: [{name: c, image: busybox}]}\n")
    grade = ex.check(ex.solution() + relabel)
    assert grade.passed
    assert any("ignored" in n for n in grade.notes)


def test_the_solution_is_only_given_when_asked():
    ex = Exercise.get("05-default-deny-dns")
    assert "allow-dns" not in repr(ex) and "allow-dns" in ex.solution()


def test_an_unknown_exercise_lists_the_known_ones():
    with pytest.raises(KeyError, match="03-and-or"):
        Exercise.get("nope")


def test_playground_starts_from_the_starter_on_the_exercise_cluster():
    ex = Exercise.get("05-default-deny-dns")
    pg = ex.playground()
    assert pg.state.pods == tuple(sorted(p.key for p in ex.base.pods))
    assert "tools/dnsmasq" in pg.state.pods  # the exercise's own additions are there too
    pg.state.set_probe(53, "UDP")
    assert Exercise.get("06-zero-trust").playground().addresses == ("10.100.0.5", "8.8.8.8")
    assert not pg.state.matrix["default/web", "kube-system/coredns"]

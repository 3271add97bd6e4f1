"""Predict, then check: scoring, explanations for wrong cells, and no answer given away early."""

from __future__ import annotations

import pytest

from npkit.course import model_cluster
from npkit.loading import load_string
from npkit.widgets import Predict, PredictState, Question, QuestionState

# Only pods app=a from namespaces labelled name=x reach default/web.
AND_POLICY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: and, namespace: default}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - from:
    - namespaceSelector: {matchLabels: {name: x}}
      podSelector: {matchLabels: {app: a}}
"""
PODS = ["default/web", "x/a", "x/b", "y/a"]


@pytest.fixture
def cluster():
    return model_cluster("and-or").merged(load_string(AND_POLICY))


def test_a_perfect_prediction_scores_full_marks(cluster):
    s = PredictState(cluster, 80, pods=PODS)
    s.predict([c for c in s.cells if c != ("x/b", "default/web") and c != ("y/a", "default/web")])
    score = s.reveal()
    assert score.perfect and (score.correct, score.total) == (12, 12)


def test_each_wrong_cell_is_listed_with_the_engine_explanation(cluster):
    s = PredictState(cluster, 80, pods=PODS)
    s.predict(s.cells)  # the OR reading: everything allowed
    score = s.reveal()
    assert score.correct == 10
    assert [(src, dst) for src, dst, _, _ in score.wrong] == [("x/b", "default/web"), ("y/a", "default/web")]
    report = s.text_report()
    assert "x/b → default/web: you predicted allowed, it is denied" in report
    assert "isolated for ingress by NetworkPolicy default/and" in report


def test_nothing_gives_the_answer_away_before_the_reveal(cluster):
    s = PredictState(cluster, 80, pods=PODS)
    assert "denied" not in s.text_report() and "allowed?" in s.text_report()
    with pytest.raises(RuntimeError):
        s.explain("x/b", "default/web")


def test_a_pod_to_itself_is_not_predicted(cluster):
    s = PredictState(cluster, 80, pods=PODS)
    s.toggle("x/a", "x/a")
    assert not s.predicted and ("x/a", "x/a") not in s.cells


def test_unknown_pods_are_a_clear_error(cluster):
    with pytest.raises(KeyError, match="no pod x/zz"):
        PredictState(cluster, 80, pods=["x/zz"])


def test_the_widget_toggles_reveals_and_explains(cluster):
    view = Predict(cluster, 80, pods=PODS)
    cell = view.grid.buttons["x/b", "default/web"]
    cell.click()
    assert cell.description == "✓" and ("x/b", "default/web") in view.state.predicted
    cell.click()
    assert cell.description == "" and not view.state.predicted
    assert view.grid.buttons["x/a", "x/a"].disabled
    view.all_button.click()
    view.reveal_button.click()
    assert cell.description == "·!"
    assert "10 of 12 right" in view.result.value and "x/b → default/web" in view.result.value
    assert "default/and" in view.explanation.value  # the first wrong cell is explained at once
    view.grid.buttons["x/a", "default/web"].click()
    assert "x/a → default/web" in view.explanation.value
    view.again_button.click()
    assert cell.description == "✓" and not view.state.revealed


def test_a_question_reveals_the_verdict_only_after_the_answer(cluster):
    q = QuestionState(cluster, "y/a", "default/web", 80)
    assert "denied" not in q.text_report()
    with pytest.raises(RuntimeError):
        _ = q.verdict
    assert q.answer(False) is True
    assert "You said denied. It is denied." in q.text_report()

    view = Question(cluster, "x/b", "default/web", 80)
    view.allowed_button.click()
    assert "Not quite: it is denied" in view.result.value
    assert "default/and" in view.result.value

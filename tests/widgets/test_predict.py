"""Predict, then check: scoring, explanations for wrong cells, and no answer given away early."""

from __future__ import annotations

import pytest

from npkit.course import model_cluster
from npkit.loading import load_string
from npkit.widgets import AfterAnswer, Predict, PredictState, Question, QuestionState, memory
from npkit.widgets.choice import Choice

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


def _reveal_text(area) -> str:
    return " ".join(str(v) for o in area.widget.outputs for v in o["data"].values())


def test_a_question_reveals_the_verdict_only_after_the_answer(cluster):
    q = QuestionState(cluster, "y/a", "default/web", 80)
    assert "denied" not in q.text_report()
    with pytest.raises(RuntimeError):
        _ = q.verdict
    assert q.answer(False) is True
    assert "You said denied. It is denied. (first try: ✓)" in q.text_report()

    view = Question(cluster, "x/b", "default/web", 80, reveal="**Only `x/a`** gets in: one peer, AND.")
    assert view.reveal_area.empty and "Only" not in repr(view) and "Only" not in view.result.value
    view.allowed_button.click()
    assert "Not quite: it is denied" in view.result.value and "first try: ✗" in view.result.value
    shown = _reveal_text(view.reveal_area)
    assert "**Only `x/a`** gets in" in shown and "default/and" in shown  # the words, then the engine's


def test_answering_again_after_the_reveal_never_changes_the_first_try(cluster):
    view = Question(cluster, "x/b", "default/web", 80)
    view.allowed_button.click()
    view.denied_button.click()
    assert view.state.attempts.first_try is False
    assert "first try: ✗ · answered again after the reveal: ✓" in view.result.value


def test_a_first_try_survives_in_the_learners_memory(cluster):
    previous = memory.use(memory.InMemory())
    try:
        Question(cluster, "x/b", "default/web", 80, key="k").allowed_button.click()
        again = Question(cluster, "x/b", "default/web", 80, key="k", reveal="the why")
        assert "first try: ✗ (answered in an earlier session)" in again.result.value
        assert again.reveal_area.empty  # still closed: answer again to see it
        again.denied_button.click()
        assert again.state.attempts.first_try is False and "after the reveal: ✓" in again.result.value
        assert memory.current().first_try("question/k") is False
    finally:
        memory.use(previous)


def test_a_predict_reveals_its_words_and_keeps_the_first_score(cluster):
    view = Predict(cluster, 80, pods=PODS, reveal="One peer with both selectors.")
    assert view.reveal_area.empty
    view.all_button.click()
    view.reveal_button.click()
    assert "first try: ✗ (10 of 12 right)" in view.result.value
    assert "One peer with both selectors." in _reveal_text(view.reveal_area)
    view.again_button.click()
    view.grid.buttons["x/b", "default/web"].click()
    view.grid.buttons["y/a", "default/web"].click()
    view.reveal_button.click()
    assert "first try: ✗ (10 of 12 right) · answered again after the reveal: ✓" in view.result.value


def test_a_choice_keeps_its_truth_until_answered():
    c = Choice("How many pods does it select?", ["none", "one", "two"], "one", reveal="Only its own namespace.")
    assert "one" not in c.result.value and c.reveal_area.empty
    with pytest.raises(RuntimeError):
        _ = c.state.right
    c.buttons["two"].click()
    assert "Not quite" in c.result.value and "first try: ✗" in c.result.value
    assert "Only its own namespace." in _reveal_text(c.reveal_area)
    many = Choice("Which are lost?", ["a → b", "b → a", "c → a"], {"a → b", "c → a"}, multiple=True)
    many.boxes["a → b"].value = True
    many.boxes["c → a"].value = True
    many.check_button.click()
    assert "Right" in many.result.value and "first try: ✓" in many.result.value


def test_a_choice_refuses_a_truth_that_is_not_an_option():
    with pytest.raises(ValueError, match="not among the options"):
        Choice("?", ["a", "b"], "c")
    with pytest.raises(ValueError, match="exactly one"):
        Choice("?", ["a", "b"], {"a", "b"})


def test_the_reveal_builds_its_extra_view_only_after_the_answer(cluster):
    built = []

    def more():
        built.append(1)
        return "the whole matrix"

    view = Question(cluster, "x/b", "default/web", 80, more=more)
    assert not built and view.reveal_area.empty
    view.denied_button.click()
    assert built == [1] and "the whole matrix" in _reveal_text(view.reveal_area)


def test_a_widget_after_an_answer_stays_closed_until_the_prediction_is_answered(cluster):
    import ipywidgets

    prediction = Question(cluster, "x/b", "default/web", 80, reveal="the why")
    answer_on_screen = ipywidgets.HTML("the whole matrix")
    gate = AfterAnswer(prediction, answer_on_screen)
    assert not gate.opened and answer_on_screen not in gate.children
    assert "opens once you have answered" in gate.children[0].value
    prediction.denied_button.click()
    assert gate.opened and gate.children == (answer_on_screen,)


def test_a_widget_after_an_already_revealed_prediction_opens_at_once(cluster):
    import ipywidgets

    prediction = Predict(cluster, 80, pods=PODS, reveal="the why")
    prediction.state.predict([])
    prediction._reveal()
    assert AfterAnswer(prediction, ipywidgets.HTML("x")).opened

"""The selector lab: which namespaces and pods a selector picks, judged by the engine's matchers."""

from __future__ import annotations

import pytest

from npkit.course import model_cluster
from npkit.widgets import SelectorLab, SelectorLabState


@pytest.fixture
def lab() -> SelectorLabState:
    return SelectorLabState(model_cluster())


def test_a_pod_selector_selects_only_in_the_policy_namespace(lab):
    assert lab.set_text("matchLabels:\n  app: web\n").pods == ("default/web",)
    assert lab.set_text("matchLabels:\n  app: web\n", namespace="frontend").pods == ("frontend/web",)
    assert "only selects pods in the policy's own namespace" in lab.selection.why("default/web")


def test_the_empty_selector_selects_every_pod_of_the_namespace(lab):
    assert lab.set_text("{}", namespace="x").pods == ("x/a", "x/b")


def test_match_expressions(lab):
    text = "matchExpressions:\n- key: app\n  operator: In\n  values: [web, api]\n"
    assert lab.set_text(text).pods == ("default/api", "default/web")
    text = "matchExpressions:\n- key: suspicious\n  operator: DoesNotExist\n"
    assert "default/scanner" not in lab.set_text(text).pods


def test_one_peer_with_both_selectors_is_an_and(lab):
    text = "namespaceSelector:\n  matchLabels: {project: frontend}\npodSelector:\n  matchLabels: {role: web}\n"
    sel = lab.set_text(text)
    assert sel.pods == ("frontend/web",)
    assert [ns.name for ns in sel.namespaces if ns.selected] == ["frontend"]
    assert "role=web" in sel.why("frontend/client")


def test_any_namespace_plus_a_pod_selector(lab):
    sel = lab.set_text("namespaceSelector: {}\npodSelector:\n  matchLabels:\n    role: monitor\n")
    assert sel.pods == ("monitoring/prometheus",)
    assert all(ns.selected for ns in sel.namespaces)


def test_errors_keep_the_last_selection_and_point_at_the_field(lab):
    lab.set_text("matchLabels: {app: db}")
    lab.set_text("matchExpressions:\n- key: app\n  operator: in\n  values: [web]\n")
    assert lab.stale
    assert lab.selection.pods == ("default/db",)
    report = lab.text_report()
    assert "line 3: error: matchExpressions[0].operator" in report and 'write "In"' in report


def test_unknown_fields_are_errors_with_a_suggestion(lab):
    lab.set_text("matchLabel:\n  app: web\n")
    assert 'unknown field "matchLabel"; did you mean "matchLabels"?' in lab.text_report()


def test_calico_selectors_are_scoped_to_the_policy_namespace_unless_global(lab):
    assert lab.set_text("app == 'web'", mode="calico").pods == ("default/web",)
    assert lab.set_text("app == 'web'", mode="calico", namespace="(global)").pods == ("default/web", "frontend/web")
    assert lab.set_text("has(role) && role != 'monitor'", mode="calico", namespace="(global)").pods == (
        "default/db", "default/frontend", "frontend/web")


def test_calico_syntax_errors_carry_a_caret(lab):
    lab.set_text("app = 'web'", mode="calico")
    lines = lab.text_report().splitlines()
    shown = next(i for i, line in enumerate(lines) if line.strip() == "app = 'web'")
    assert lines[shown + 1].index("^") == lines[shown].index("=")


def test_text_report_lists_every_namespace_with_marks(lab):
    lab.set_text("matchLabels: {app: a}", namespace="x")
    report = lab.text_report()
    assert report.splitlines()[0] == "pods matching app=a in namespace x: 1 pod selected"
    assert "  ✓ x: ✓ a  · b" in report and "  · y: · a  · b" in report


def test_the_widget_updates_as_the_learner_types():
    view = SelectorLab(model_cluster(), debounce=0)
    view.editor.value = "matchLabels: {app: db}"
    assert "1 pod selected" in view.grid.value and "✓ db" in view.grid.value
    view.mode.value = "calico"
    view.editor.value = "all()"
    assert "6 pods selected" in view.grid.value  # a namespaced Calico policy in default
    view.pod.value = "x/a"
    assert "x/a" in view.reason.value
    assert view._repr_mimebundle_()["text/plain"] == view.state.text_report()


def test_the_why_list_offers_every_pod_even_when_the_first_selector_is_broken():
    lab = SelectorLab(model_cluster("and-or"), "matchLabels: [")
    assert lab.state.errors
    assert set(model_cluster("and-or").pods[i].key for i in range(3)) <= set(lab.pod.options)


def test_a_broken_selector_never_claims_the_last_selection_as_its_own():
    view = SelectorLab(model_cluster(), "matchLabels: {app: web}", debounce=0)
    assert "1 pod selected" in view.grid.value
    view.editor.value = "matchLabels: {app: web"  # the closing brace is missing
    assert "pod selected" not in view.grid.value and "pods selected" not in view.grid.value
    assert "selects nothing until it is fixed" in view.grid.value and "last valid selector" in view.grid.value
    assert "selected 1 pod" in view.state.text_report() and "1 pod selected" not in view.state.text_report()
    assert view.editor.diagnostics and view.editor.diagnostics[0]["severity"] == "error"


def test_switching_modes_says_which_language_the_text_is_in():
    view = SelectorLab(model_cluster(), "app == 'web'", mode="calico", debounce=0)
    view.mode.value = "kubernetes"
    problem = view.problems.value
    assert "not not" not in problem and "Calico selector expression" in problem and "switch the mode" in problem
    assert view.editor.language == "yaml"
    view.editor.value = "matchLabels:\n  app: web\n"
    view.mode.value = "calico"
    assert view.editor.language == "calico-selector" and "this is a Kubernetes selector" in view.problems.value


def test_lists_and_single_values_are_named_as_such(lab):
    lab.set_text("- app: web")
    assert "this is a list" in lab.text_report()
    lab.set_text("web")
    assert "this is a single value" in lab.text_report()

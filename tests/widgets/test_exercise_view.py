"""The exercise widget: check, hints one at a time, the solution only after asking twice."""

from __future__ import annotations

from npkit.course import Exercise
from npkit.widgets import memory


def test_check_lists_the_connections_that_differ_then_passes_the_fix():
    view = Exercise.get("03-and-or").show()
    assert view.editor.value == Exercise.get("03-and-or").starter_yaml
    view.check_button.click()
    first_line = "✗ x/b → default/web TCP/80 should be allowed, but the ingress of default/web is denied"
    assert first_line in view.feedback.value
    assert "x → default: 1 connection should be allowed; your policies deny it (TCP/80)" in view.feedback.value
    assert "The engine's whole explanation of that connection" in view.feedback.value
    bare = "    - podSelector:\n        matchLabels:\n          app: b"
    assert bare in view.editor.value
    fixed = "    - namespaceSelector: {}\n      podSelector:\n        matchLabels:\n          app: b"
    view.editor.value = view.editor.value.replace(bare, fixed)
    view.check_button.click()
    assert "Correct" in view.feedback.value
    assert view.session.history == [False, True]


def test_hints_come_one_at_a_time():
    ex = Exercise.get("03-monitor-any-namespace")
    view = ex.show()
    for shown in range(1, len(ex.hints) + 1):
        view.hint_button.click()
        assert len(view.hints.outputs) == shown
        assert view.hints.outputs[-1]["data"]["text/markdown"].startswith(f"💡 **Hint {shown}:** ")
    assert view.hint_button.disabled


def test_the_solution_needs_two_clicks_and_is_not_in_the_output_before():
    ex = Exercise.get("03-monitor-any-namespace")
    view = ex.show()
    marker = "(one peer: any namespace AND role=monitor)"  # a comment only the reference solution has
    assert marker not in repr(view) and marker not in view.solution.value
    view.solution_button.click()
    assert marker not in view.solution.value and view.solution_button.description == "Really show it?"
    view.solution_button.click()
    assert marker in view.solution.value and marker in repr(view)


def test_reset_restores_the_starter_and_yaml_errors_are_feedback():
    ex = Exercise.get("05-default-deny-dns")
    view = ex.show()
    view.editor.value = "kind: [broken\n"
    view.check_button.click()
    assert "Your YAML has errors" in view.feedback.value
    view.reset_button.click()
    assert view.editor.value == ex.starter_yaml


def test_the_last_answer_and_the_tries_are_remembered():
    previous = memory.use(memory.InMemory())
    try:
        ex = Exercise.get("03-and-or")
        view = ex.show()
        view.editor.value = ex.solution()
        view.check_button.click()
        assert memory.current().first_try("exercise/03-and-or") is True
        again = ex.show()
        assert again.editor.value == ex.solution() and "Restored your last answer" in again.feedback.value
        again.reset_button.click()
        assert again.editor.value == ex.starter_yaml
    finally:
        memory.use(previous)


def test_a_blank_page_exercise_starts_empty_and_says_so_on_check():
    view = Exercise.get("07-blocklist").show()
    assert view.editor.value == ""
    view.check_button.click()
    assert "The editor is empty" in view.feedback.value


def test_yaml_errors_are_marked_in_the_editor():
    view = Exercise.get("05-default-deny-dns").show()
    view.editor.value = "kind: NetworkPolicy\nmetadata: {name: [x]}\n"
    view.check_button.click()
    assert view.editor.diagnostics and "Your YAML has errors" in view.feedback.value

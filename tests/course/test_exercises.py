"""Exercises are graded by meaning: every reference passes, every starter fails, wording is free."""

from __future__ import annotations

import pytest

from npkit.course import Exercise, intro, model_cluster

EXERCISES = Exercise.all()


def _needs(ex: Exercise):
    return pytest.mark.skipif(not ex.available, reason=f"npkit lacks {', '.join(ex.missing)} for {ex.id}")


@pytest.mark.parametrize("ex", [pytest.param(e, id=e.id, marks=_needs(e)) for e in EXERCISES])
def test_the_reference_solution_passes_its_own_checker(ex):
    grade = ex.check(ex.solution())
    assert grade.passed, grade.text()
    assert grade.compared > 0 and not grade.notes


@pytest.mark.parametrize("ex", [pytest.param(e, id=e.id, marks=_needs(e)) for e in EXERCISES])
def test_the_starter_fails_with_a_hint_that_explains_the_first_difference(ex):
    grade = ex.check(ex.starter_yaml)
    assert not grade.passed and not grade.errors
    first = grade.differences[0]
    assert grade.hint.startswith(f"{first.label} should be {'allowed' if first.expected else 'denied'}")
    assert grade.verdict is not None and grade.verdict.allowed == first.yours


def test_the_course_has_exercises_for_the_notebooks_that_promise_them():
    by_notebook = {}
    for ex in EXERCISES:
        by_notebook.setdefault(ex.notebook, []).append(ex.id)
        assert ex.hints and ex.probes and ex.title and ex.task_markdown
        model_cluster(ex.cluster)  # exists
        assert ex.id in intro(ex.notebook).text()  # the notebook's intro announces it
    assert set(by_notebook) >= {"03", "05", "06", "07", "10"}
    assert "03-and-or" in by_notebook["03"]


def test_grading_ignores_names_comments_and_selector_spelling():
    ex = Exercise.get("03-and-or")
    different_text = """\
kind: NetworkPolicy
apiVersion: networking.k8s.io/v1
metadata: {name: something-else, namespace: default}
spec:
  podSelector: {matchExpressions: [{key: app, operator: In, values: [web]}]}
  policyTypes: [Ingress]
  ingress:
  - from: [{namespaceSelector: {matchLabels: {name: x}}, podSelector: {matchLabels: {app: a}}}]
  - from: [{namespaceSelector: {}, podSelector: {matchLabels: {app: b}}}]
"""
    assert ex.check(different_text).passed


def test_a_wrong_answer_lists_each_differing_connection_both_ways():
    ex = Exercise.get("03-monitor-any-namespace")
    no_ports = ex.solution().replace("    ports:\n    - protocol: TCP\n      port: 80\n", "")
    grade = ex.check(no_ports)
    assert not grade.passed
    assert [d.text() for d in grade.differences] == [
        "monitoring/prometheus → default/web TCP/8080: should be denied; your policies allow it"]


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
    assert pg.state.pods == tuple(sorted(p.key for p in model_cluster("app").pods))
    pg.state.set_probe(53, "UDP")
    assert Exercise.get("06-zero-trust").playground().addresses == ("10.100.0.5", "8.8.8.8")
    assert not pg.state.matrix["default/web", "kube-system/coredns"]

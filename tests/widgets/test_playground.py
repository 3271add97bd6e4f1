"""The policy playground, driven as a learner would: type YAML, read the matrix, click a cell."""

from __future__ import annotations

import pytest

from npkit.course import model_cluster
from npkit.widgets import Playground, PlaygroundState

DENY_WEB = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: deny-ingress-to-web
  namespace: default
spec:
  podSelector:
    matchLabels:
      app: web
  policyTypes:
  - Ingress
"""
ALLOW_X = DENY_WEB + """\
  ingress:
  - from:
    - namespaceSelector:
        matchLabels:
          name: x
"""


@pytest.fixture
def state() -> PlaygroundState:
    return PlaygroundState(model_cluster("and-or"), probes=[(80, "TCP"), (53, "UDP")])


def test_an_edit_redraws_the_matrix_and_marks_exactly_the_cells_that_flipped(state):
    assert state.matrix["x/a", "default/web"]
    assert state.edit(DENY_WEB)
    assert not state.matrix["x/a", "default/web"]
    others = [p for p in state.pods if p != "default/web"]
    assert sorted(state.flipped_cells()) == sorted((p, "default/web") for p in others)
    assert "6 cells changed" in state.status()

    assert state.edit(ALLOW_X)
    assert sorted(state.flipped_cells()) == [("x/a", "default/web"), ("x/b", "default/web")]


def test_an_edit_that_changes_nothing_flips_nothing(state):
    state.edit(DENY_WEB)
    state.edit(DENY_WEB.replace("deny-ingress-to-web", "another-name"))
    assert not state.flipped.any()
    assert "changed" not in state.status()


def test_errors_are_shown_with_line_and_field_path_and_the_last_good_matrix_stays(state):
    state.edit(DENY_WEB)
    good = state.matrix
    assert not state.edit(DENY_WEB.replace("- Ingress", "- Ingres"))
    assert state.stale
    assert state.matrix is good
    report = state.text_report()
    assert "line 11: error: NetworkPolicy default/deny-ingress-to-web: spec.policyTypes[0]" in report
    assert "showing the last good version" in report and "stale" in report


def test_after_an_error_flips_compare_with_the_last_good_version_not_the_broken_one(state):
    state.edit(DENY_WEB)
    state.edit("this: [is not closed\n")
    assert state.errors and "YAML syntax error" in state.errors[0].message
    state.edit(ALLOW_X)
    assert not state.stale
    assert sorted(state.flipped_cells()) == [("x/a", "default/web"), ("x/b", "default/web")]


def test_a_calico_selector_error_gets_a_caret_under_the_typed_line(state):
    bad = """\
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata:
  name: web
  namespace: default
spec:
  selector: app = 'web'
"""
    assert not state.edit(bad)
    report = state.text_report()
    line, caret = [x for x in report.splitlines() if "selector: app = 'web'" in x or x.strip() == "^"][:2]
    assert caret.index("^") == line.index("= 'web'")


def test_a_policy_in_a_tier_that_does_not_exist_is_an_error_not_a_crash(state):
    text = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata:
  name: p
spec:
  tier: security
  selector: all()
"""
    assert not state.edit(text)
    assert any("security" in d.message for d in state.errors)


def test_the_explanation_names_the_policy_that_decided(state):
    state.edit(DENY_WEB)
    verdict = state.explain("y/a", "default/web")
    assert not verdict.allowed
    assert "deny-ingress-to-web" in verdict.summary
    assert "deny-ingress-to-web" in state.text_report()  # the selected cell is part of the report


def test_the_probe_chooses_port_and_protocol(state):
    state.edit(ALLOW_X.replace("name: x\n", "name: x\n    ports:\n    - protocol: UDP\n      port: 53\n"))
    assert not state.matrix["x/a", "default/web"]  # TCP/80
    state.set_probe(53, "udp")
    assert state.matrix.label == "UDP/53"
    assert state.matrix["x/a", "default/web"]


def test_pods_in_the_editor_join_the_matrix(state):
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: c, namespace: x, labels: {app: c}}\n"
           "spec: {containers: [{name: c, image: busybox}]}\n")
    state.edit(pod)
    assert "x/c" in state.pods
    state.explain("x/c", "default/web")
    state.edit("")
    assert "x/c" not in state.pods and state.selected is None


# -- the widget --------------------------------------------------------------------------------
def test_typing_in_the_editor_repaints_the_grid_and_the_status():
    view = Playground(model_cluster("and-or"), debounce=0)
    cell = view.grid.buttons["x/a", "default/web"]
    assert cell.description == "✓"
    view.editor.value = DENY_WEB
    assert cell.description == "·*"
    assert "changed with your last edit" in cell.tooltip
    assert "1 policy loaded" in view.status.value
    view.editor.value = DENY_WEB.replace("- Ingress", "- Ingres")
    assert "stale" in view.status.value
    assert "spec.policyTypes[0]" in view.problems.value
    assert cell.description == "·*"  # the last good result is kept


def test_clicking_a_cell_explains_it_and_fills_the_explain_bar():
    view = Playground(model_cluster("and-or"), DENY_WEB, debounce=0)
    view.grid.buttons["y/b", "default/web"].click()
    assert "deny-ingress-to-web" in view.explanation.value
    bar = view.grid.widget
    assert (bar.src, bar.dst, bar.selected) == ("y/b", "default/web", ["y/b", "default/web"])
    bar.receive({"type": "explain", "src": "x/a", "dst": "default/web"})  # the Explain button
    assert "x/a → default/web" in view.explanation.value


def test_addresses_outside_the_cluster_can_be_explained():
    view = Playground(model_cluster("and-or"), DENY_WEB, debounce=0, addresses=["1.2.3.4"])
    assert "1.2.3.4" in view.grid.widget.ends and "1.2.3.4" not in view.state.pods
    view.grid.widget.receive({"type": "explain", "src": "1.2.3.4", "dst": "default/web"})
    assert "1.2.3.4 → default/web" in view.explanation.value and "outside the cluster" in view.explanation.value


def test_the_probe_menu_switches_the_matrix_and_the_diagram():
    view = Playground(model_cluster("and-or"), DENY_WEB, probes=[(80, "TCP"), (53, "UDP")], debounce=0)
    assert view.grid.widget.probes == ["TCP/80", "UDP/53"] and view.grid.widget.corner == "TCP/80"
    view.grid.widget.receive({"type": "probe", "index": 1})
    assert view.state.probe == (53, "UDP") and view.grid.widget.corner == "UDP/53"


def test_the_editor_marks_the_error_line_and_the_diagram_follows_the_yaml():
    view = Playground(model_cluster("and-or"), debounce=0)
    edges = {(e["s"], e["t"]): e for e in view.grid.widget.diagram["edges"]}
    web, xa = view.state.pods.index("default/web"), view.state.pods.index("x/a")
    assert edges[xa, web]["allowed"]
    view.editor.value = DENY_WEB
    edges = {(e["s"], e["t"]): e for e in view.grid.widget.diagram["edges"]}
    assert not edges[xa, web]["allowed"] and edges[xa, web]["flipped"]
    view.editor.value = DENY_WEB.replace("- Ingress", "- Ingres")
    line = DENY_WEB.splitlines().index("  - Ingress") + 1
    assert [(d["line"], d["severity"]) for d in view.editor.diagnostics] == [(line, "error")]
    assert "spec.policyTypes[0]" in view.editor.diagnostics[0]["message"]
    view.editor.value = DENY_WEB
    assert view.editor.diagnostics == []


def test_garbage_never_raises_and_text_plain_is_the_report():
    view = Playground(model_cluster("and-or"), debounce=0)
    for text in ("{{{", "this: [is not closed", "- - -", "\t:", "kind: NetworkPolicy", "apiVersion: v1\nkind: Pod\n"):
        view.editor.value = text
    bundle = view._repr_mimebundle_()
    assert bundle["text/plain"] == view.state.text_report()
    assert "application/vnd.jupyter.widget-view+json" in bundle

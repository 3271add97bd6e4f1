"""Policy toggles: switching a part of the chapter's example-policy off changes exactly what that part did."""

from __future__ import annotations

import pytest

from npkit.course import chapter_example, model_cluster
from npkit.loading import load_string
from npkit.widgets.toggles import Part, PolicyToggles, TogglesState, span, switch_off

EXAMPLE = chapter_example("example-policy")
PARTS = [
    Part("spec.podSelector", "podSelector app=web", off="podSelector: {}"),
    Part("spec.policyTypes[1]", "policyTypes: Egress"),
    Part("spec.ingress", "ingress rules"),
    Part("spec.ingress[0].from[0]", "from podSelector role=frontend"),
    Part("spec.ingress[0].from[1]", "from namespaceSelector project=myproject"),
    Part("spec.ingress[0].ports", "ingress ports"),
]
PROBES = [(80, "TCP"), (5432, "TCP")]


@pytest.fixture
def state() -> TogglesState:
    return TogglesState(model_cluster(), EXAMPLE, PARTS, PROBES)


def test_switching_a_peer_off_denies_exactly_the_sources_it_let_in(state):
    assert state.playground.matrix["default/frontend", "default/web"]
    assert state.switch("spec.ingress[0].from[0]", False)
    assert state.playground.flipped_cells() == [("default/frontend", "default/web")]
    assert "role: frontend" not in state.text and "project: myproject" in state.text
    assert state.switch("spec.ingress[0].from[0]", True)
    assert state.text == EXAMPLE
    assert state.playground.flipped_cells() == [("default/frontend", "default/web")]  # back again


def test_a_part_goes_with_the_comment_lines_right_above_it_and_the_rest_stays():
    text = switch_off(EXAMPLE, [Part("spec.ingress", "ingress")])
    assert "入站规则" not in text and "ingress:" not in text
    assert "# 4. 出站规则" in text and "# 2. 策略类型" in text
    load_string(text)  # still a valid policy


def test_a_replacement_keeps_the_comment_and_takes_the_indentation(state):
    text = state.text_without("spec.podSelector")
    assert "  # 1. 选择策略适用的 Pod (the pods this policy applies to)\n  podSelector: {}\n" in text
    assert "app: web" not in text


def test_parts_inside_a_part_that_is_off_go_with_it_whatever_the_order():
    one = switch_off(EXAMPLE, [Part("spec.ingress[0].from[0]", "a"), Part("spec.ingress", "b")])
    other = switch_off(EXAMPLE, [Part("spec.ingress", "b"), Part("spec.ingress[0].from[0]", "a")])
    assert one == other == switch_off(EXAMPLE, [Part("spec.ingress", "b")])


def test_effect_is_the_semantic_difference_from_the_whole_policy(state):
    assert state.effect("spec.ingress[0].from[1]").denied_now == ("myproject/worker → default/web TCP/80",)
    opened = state.effect("spec.ingress[0].ports").allowed_now
    assert set(opened) == {"default/frontend → default/web TCP/5432", "myproject/worker → default/web TCP/5432"}
    # without Egress in policyTypes, web's egress rules are ignored and web may open anything
    assert "default/web → default/api TCP/80" in state.effect("spec.policyTypes[1]").allowed_now
    assert not state.off  # effect never touches the checkboxes


def test_a_part_that_names_no_field_fails_when_the_toggles_are_built():
    with pytest.raises(KeyError, match="spec.ingress\\[3\\]"):
        TogglesState(model_cluster(), EXAMPLE, [Part("spec.ingress[3]", "nothing there")])
    with pytest.raises(KeyError, match="egres"):
        TogglesState(model_cluster(), EXAMPLE, [Part("spec.egres", "typo")])


def test_items_of_an_inline_list_cannot_be_switched():
    with pytest.raises(ValueError, match="inline"):
        span("spec:\n  policyTypes: [Ingress, Egress]\n", "spec.policyTypes[1]")


def test_the_text_report_says_which_parts_are_on(state):
    state.switch("spec.ingress[0].ports", False)
    report = state.text_report()
    assert "  [ ] ingress ports" in report and "  [x] ingress rules" in report


def test_unticking_a_box_rewrites_the_editor_and_redraws_the_matrix():
    toggles = PolicyToggles(model_cluster(), EXAMPLE, PARTS, PROBES)
    assert toggles.playground.editor.read_only
    toggles.boxes["spec.ingress[0].from[1]"].value = False
    assert "myproject" not in toggles.playground.editor.value
    assert not toggles.state.playground.matrix["myproject/worker", "default/web"]
    button = toggles.playground.grid.buttons["myproject/worker", "default/web"]
    assert button.description == "·*"

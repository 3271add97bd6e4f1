"""The course speaks Chinese in the zh-CN edition: exercise grading (the cause first), the intro card, the
course home and What next, the overview's outside addresses, and a choice's options declared as `labels:`.
The English of each is asserted by the other tests in this folder."""

from __future__ import annotations

import pytest

from npkit.course import Exercise, course_home, intro, overview, what_next
from npkit.course.feedback import _decided
from npkit.course.questions import choice, option_labels
from npkit.engine.verdict import Decision, SideVerdict
from npkit.i18n import language
from npkit.widgets import memory


@pytest.fixture(autouse=True)
def chinese(monkeypatch, tmp_path):
    monkeypatch.setenv("NPKIT_PROGRESS", str(tmp_path / "progress.json"))
    previous = memory.use(memory.InMemory())
    with language("zh_CN"):
        yield
    memory.use(previous)


def test_a_wrong_answer_is_graded_in_chinese_cause_first():
    exercise = Exercise.get("03-and-or")
    text = exercise.check(exercise.starter_yaml).text()
    first, summary = text.splitlines()[:2]
    assert first.startswith("✗ x/b → default/web TCP/80 应被允许，但 default/web 的入站被拒绝：")
    assert summary == "有 3 个连接与目标不同（共检查了 81 个）："
    assert "  x → default：有 1 个连接应被允许，但你的策略拒绝了（TCP/80）" in text
    assert "    例如 x/b → default/web TCP/80" in text


def test_right_empty_and_broken_answers_are_said_in_chinese():
    exercise = Exercise.get("03-and-or")
    assert exercise.check(exercise.solution()).headline() == \
        "✓ 正确：在检查的全部 81 个连接上，你的答案与参考答案的结果相同。"
    assert exercise.check("").headline() == "✗ 编辑器是空的：请在其中写下你的答案，然后按“检查”。"
    assert exercise.check("kind: [").headline() == "✗ 你的 YAML 有错误，因此没有进行任何检查："


def test_the_exercise_widget_has_chinese_buttons_and_asks_twice_for_the_solution():
    view = Exercise.get("03-and-or").show()
    buttons = (view.check_button, view.hint_button, view.reset_button, view.solution_button)
    assert [b.description for b in buttons] == ["检查", "提示", "恢复初始内容", "显示参考答案"]
    view.solution_button.click()
    assert view.solution_button.description == "确定要显示吗？" and not view.solution.value
    view.solution_button.click()
    assert view.solution.value.startswith("<b>参考答案</b>（任何效果相同的答案都能通过）：")
    view.hint_button.click()
    assert "💡 **提示 1：**" in str(view.hints.outputs[0]["data"]["text/markdown"])


def test_a_side_s_decision_reads_as_one_chinese_clause_whatever_its_shape():
    def side(kind: str, allowed: bool, text: str, direction: str = "Egress") -> SideVerdict:
        return SideVerdict(direction, "x/a", kind != "not-enforced", allowed, Decision(kind, allowed, text))

    assert _decided(side("rule", False, "由 NetworkPolicy x/p 的 spec.egress[0] 拒绝")) == \
        "x/a 的出站由 NetworkPolicy x/p 的 spec.egress[0] 拒绝"
    assert _decided(side("end-of-tier", False, "拒绝：x/a 在入站方向被 NetworkPolicy x/p 隔离", "Ingress")) == \
        "x/a 的入站被拒绝：x/a 在入站方向被 NetworkPolicy x/p 隔离"
    assert _decided(side("not-enforced", True, "1.2.3.4 在集群外部：这一侧没有策略适用")) == \
        "x/a 的出站被允许：1.2.3.4 在集群外部：这一侧没有策略适用"


def test_the_intro_card_and_what_next_speak_chinese():
    card = intro("03")
    assert card.text().splitlines()[0] == f"03 · {card.title}：约 {card.minutes} 分钟"
    assert "本节内容：" in card.text() and "本节内容：" in card._repr_html_()
    after = what_next("03")
    assert after.state.text_report().startswith("下一步：04 · ")
    assert after.button.description == "将 03 标记为已完成"
    after.button.click()
    assert after.button.description == "03 已完成 ✓"


def test_the_course_home_speaks_chinese_and_links_to_the_english_edition():
    home = course_home()
    lines = repr(home).splitlines()
    assert lines[0].startswith("课程：共 15 个笔记本和实验，约 ") and "小时" in lines[0]
    assert lines[1] == "  English edition: ../00-welcome.ipynb"
    assert "<th style='text-align:left'>你的进度</th>" in home._repr_html_()


def test_the_overview_says_what_each_outside_address_stands_for_in_chinese():
    text = repr(overview())
    assert "集群外部" in text and "allow-external-db（10.100.0.0/16）放行的集群外部数据库" in text
    assert "命名空间 default（标签：-）" in text


def test_a_choice_shows_its_declared_labels_translated_and_answers_by_option():
    c = choice("02-two-labels", ["none", "one", "two"], "none")
    assert [b.description for b in c.buttons.values()] == ["一个也没有", "一个", "两个"]
    c.buttons["none"].click()
    assert "答对了。" in c.result.value and "首次作答：✓" in c.result.value
    with language("en"):
        assert option_labels("02-two-labels", ["none", "one", "two"]) == {"none": "none", "one": "one", "two": "two"}


def test_options_that_are_not_the_declared_labels_fail_loudly():
    with pytest.raises(ValueError, match="labels"):
        choice("02-two-labels", ["none", "one", "three"], "none")


def test_a_choice_without_labels_shows_its_options_as_they_are():
    assert option_labels("02-missing-label", ["role NotIn [frontend]"]) == {}

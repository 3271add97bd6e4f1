"""The widgets speak Chinese in the zh-CN edition: buttons, first tries, scores, status lines, tooltips,
captions, diagnostics, and what their browser code says (sent with each widget, so a saved notebook
keeps its language). The English of each is asserted by the other tests in this folder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from npkit.course import model_cluster
from npkit.i18n import language, width
from npkit.loading import load_string
from npkit.model import Diagnostic, Origin
from npkit.widgets import Playground, PortTable, Predict, Question, SelectorLab, show_changes, show_matrix
from npkit.widgets.choice import Choice
from npkit.widgets.diagnostics import diagnostic_text
from npkit.widgets.frontend import CodeEditor, Guard, MatrixWidget, all_browser_words, browser_words
from npkit.widgets.memory import InMemory, use

WORDS = Path(__file__).resolve().parents[2] / "js" / "src" / "words.json"
DENY_ALL_IN_DEFAULT = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: deny, namespace: default}
spec: {podSelector: {}}
"""


@pytest.fixture(autouse=True)
def chinese():
    previous = use(InMemory())
    with language("zh_CN"):
        yield
    use(previous)


@pytest.fixture(scope="module")
def cluster():
    return model_cluster("and-or")


@pytest.fixture(scope="module")
def denied(cluster):
    return cluster.merged(load_string(DENY_ALL_IN_DEFAULT))


def test_a_question_has_chinese_buttons_and_a_chinese_first_try(denied):
    q = Question(denied, "x/a", "default/web", 80)
    assert (q.allowed_button.description, q.denied_button.description) == ("允许", "拒绝")
    assert q.state.prompt == "x/a 能否向 default/web 发起新的 TCP/80 连接？"
    q.allowed_button.click()
    assert "不对：实际为拒绝。" in q.result.value and "首次作答：✗" in q.result.value
    assert "你的回答：允许。实际：拒绝。（首次作答：✗）" in q.state.text_report()
    q.denied_button.click()
    assert q.state.attempts.badge() == "首次作答：✗ · 揭晓后再次作答：✓"


def test_a_matrix_prediction_scores_in_chinese(denied):
    p = Predict(denied, 80, pods=["default/web", "x/a", "x/b"])
    assert p.reveal_button.description == "揭晓" and p.again_button.description == "再试一次"
    assert "然后按“揭晓”" in p.prompt
    assert p.result.value == "已将 6 个单元格中的 0 个标为允许。"
    p.grid.buttons["x/a", "x/b"].click()
    p.reveal_button.click()
    assert "6 个中答对 3 个。标有 ! 的单元格答错了" in p.result.value
    assert "首次作答：✗（6 个中答对 3 个）" in p.result.value
    assert "x/a → default/web：你预测为拒绝" not in p.result.value  # it was predicted denied, and it is
    assert p.grid.buttons["default/web", "x/a"].tooltip == "default/web → x/a：允许；你预测为拒绝。点击查看解释。"
    assert "default/web → x/a：你预测为拒绝，实际为允许" in p.state.text_report()


def test_a_choice_shows_its_labels_and_lists_them_with_chinese_commas():
    c = Choice("几个？", ["none", "one", "two"], ["one", "two"], multiple=True,
               labels={"none": "一个也没有", "one": "一个", "two": "两个"})
    assert [b.description for b in c.boxes.values()] == ["一个也没有", "一个", "两个"]
    assert c.check_button.description == "检查"
    c.boxes["one"].value = True
    c.check_button.click()
    assert "不对。<span" in c.result.value and "一个（你的选择）" in c.result.value
    assert "你的选择：一个。正确答案：一个、两个。（首次作答：✗）" in c.state.text_report()
    assert c.state.right == frozenset({"one", "two"})  # the options themselves, whatever they show


def test_the_playground_says_what_it_shows_in_chinese(cluster):
    pg = Playground(cluster, DENY_ALL_IN_DEFAULT)
    assert pg.state.status() == "已加载 1 条策略"
    assert "选好“来源”和“目标”后按“解释”" in pg.explanation.value
    assert pg.grid.buttons["x/a", "default/web"].tooltip == "x/a → default/web TCP/80：拒绝。点击查看解释。"
    pg.editor.value = "kind: NetworkPolicy\n  bad: ["
    assert pg.state.status() == "编辑器中有 1 个错误：显示的是最后一个有效版本（1 条策略），已标记为过期"
    assert "（过期：修正错误后才会更新）" in pg.status.value
    assert "第 2 行：错误：" in pg.problems.value


def test_the_selector_lab_names_its_controls_as_the_notebooks_do(cluster):
    lab = SelectorLab(cluster, "matchLabels: {app: web}")
    assert (lab.namespace.description, lab.pod.description) == ("策略所在命名空间", "原因")
    assert ("（全局）", "(global)") in lab.namespace.options
    assert "选择了 1 个 Pod" in lab.state.text_report()
    lab.editor.value = "app == 'web'"
    assert "请把模式切换为 Calico" in lab.problems.value and "它什么也不选择" in lab.grid.value


def test_a_diagnostic_line_uses_chinese_labels_and_colons():
    d = Diagnostic("error", "must be a list", Origin("p.yaml", 3), path="spec.ingress")
    assert diagnostic_text(d) == "第 3 行：错误：spec.ingress：must be a list"


def test_changes_group_under_a_chinese_reason(cluster, denied):
    view = show_changes(cluster, denied)
    text = repr(view)
    assert "6 个连接现在被拒绝：目标的入站" in text and "比较范围：" in text
    assert "选择该 Pod" in text  # the pod unnamed, with no stray space between Chinese words
    assert "按命名空间：monitoring → default：2、x → default：2" in view._repr_html_()


def test_a_port_table_aligns_its_chinese_corner(denied):
    lines = repr(PortTable(denied, "x/a", [(80, "TCP"), (53, "UDP")], dsts=["default/web", "x/b"])).splitlines()
    assert lines[0].startswith("来源 x/a")
    bars = {width(line.split("│")[0]) for line in lines if "│" in line}
    assert len(bars) == 1  # every row's bar in the same column, though 来源 is two columns per character
    assert lines[-1] == "✓ 允许  · 拒绝   （行：目标，列：探测的端口）"


def test_the_matrix_html_and_figures_speak_chinese(denied):
    panel = show_matrix(denied)
    html = panel._repr_html_()
    assert "来源 \\ 目标" in html and "✓ 允许 · 拒绝（行：来源，列：目标）" in html
    assert 'title="x/a → default/web TCP/80：拒绝"' in html
    figure = panel.heatmap()
    assert figure.axes[0].get_xlabel() == "目标" and "绿色为允许" in figure.axes[0].get_title()


def test_browser_widgets_carry_their_chinese_words():
    matrix, editor, guard = MatrixWidget(), CodeEditor(), Guard()
    assert matrix._npkit_words["explain"] == "解释" and matrix._npkit_words["probe"] == "探测"
    assert matrix._npkit_words["axes"] == "来源 \\ 目标"
    assert editor._npkit_words["line"] == "第 {n} 行" and editor.label == "YAML 编辑器"
    assert guard._npkit_words["saved"].startswith("运行此单元格（Shift+Enter）以继续")
    assert "explain" not in guard._npkit_words  # each kind carries only what its browser code says


def test_in_english_widgets_send_no_words_the_bundle_has_them():
    with language("en"):
        assert MatrixWidget()._npkit_words == {} and browser_words("matrix") == {}


def test_the_browser_codes_english_is_the_python_tables():
    with language("en"):
        assert all_browser_words() == json.loads(WORDS.read_text(encoding="utf-8"))
    chinese = all_browser_words()
    assert all(text for part in chinese.values() for text in part.values())
    assert set(chinese["matrix"]) == set(json.loads(WORDS.read_text(encoding="utf-8"))["matrix"])

"""The lab and the kind-cluster helpers in Chinese (npkit-tools): the card, the banner, comparisons,
provenance, progress, refusals and preflight; JSON stays English (tools read it)."""

import json

import pytest

from npkit.cli.main import main
from npkit.cluster.guard import ContextGuard, UnsafeTarget
from npkit.cluster.preflight import preflight
from npkit.cluster.readiness import Timeout, wait_until
from npkit.cluster.versions import load_versions
from npkit.i18n import language, width
from npkit.lab import LabSession, select
from npkit.lab.backend import CleanReport, LabRecord, format_age
from npkit.lab.backends.local.netns import PodPlace
from npkit.lab.backends.local.rules_view import pod_rules
from npkit.lab.backends.predict import PredictBackend
from npkit.lab.config import LabConfigError, PredictConfig
from npkit.lab.provenance import LOCAL_CALICO, PREDICTED, provenance

from .fakes import FakeClock, SimBackend, healthy_runner
from .test_compare import TRUTH, comparison
from .test_session import ALLOW_FRONTEND, SCENARIO


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    monkeypatch.delenv("NPKIT_LAB_BACKEND", raising=False)
    return select._REGISTRY


def test_the_lab_card_shows_the_labs_own_words_from_its_catalog():
    with language("zh_CN"):
        card = LabSession("lab-01", backend=PredictBackend(PredictConfig("lab-01"))).intro()
        text = card.text()
    assert text.splitlines()[0] == "实验 1：默认拒绝（大约 15 分钟）"  # course-L1's title, not notebooks.yaml's
    assert "涵盖内容：本章的 policy-test 演练：先是 web 和 client，再加上入站方向的默认拒绝；每一步先预测再探测" in text
    assert "在哪里运行：predict——只做预测（仅预测，未观测：没有选择能观测的后端）" in text
    assert "结果依据：仅预测，未观测：什么都没有运行" in text and "在本机上创建的内容：无" in text
    assert "请选择启用 local 后端（本机上的网络命名空间和 nftables 规则；需要 root 权限）" in text
    english = LabSession("lab-01", backend=PredictBackend(PredictConfig("lab-01"))).intro().text()
    assert english.splitlines()[0] == "Lab 1: default deny: about 15 minutes"


def test_a_comparison_says_what_it_shows_and_what_it_rests_on_in_chinese():
    faulty = {**TRUTH, ("x/client", "x/web"): "CONNECTED"}
    with language("zh_CN"):
        agreeing, differing = comparison(TRUTH), comparison(faulty)
        text, summary = differing.render_text(explain=False), agreeing.summary()
        headline = differing.mismatches[0].headline()
        html = differing._repr_html_()
    assert summary == "TCP/80：观测到的全部 4 个连接都与预测一致（后端 sim）"
    assert headline == "x/client → x/web：预测为拒绝，观测为允许（CONNECTED，尝试 1 次）"
    assert "预测（npkit 引擎，数据平面 calico）" in text and "观测（sim）" in text
    assert "✓ 允许  · 拒绝  ! 观测与预测不一致   （行：来源，列：目标）" in text
    assert "TCP/80：观测到的 4 个连接中有 1 个与预测不一致（后端 sim）" in text
    assert "关于这个结果：观测自 sim 后端。" in text
    assert "单元格：预测/观测；✓ 允许，· 拒绝；红色：两者不一致" in html and "<th>来源 \\ 目标</th>" in html
    # the observed table starts in the same terminal column on every line, below its Chinese title
    title, *rows = text.splitlines()[:5]
    starts = {width(title[:title.index("观测（sim）")])}
    starts |= {width(row[:row.index(row.split()[0], 1)]) for row in rows}
    assert len(starts) == 1


def test_provenance_is_shown_in_chinese_and_kept_in_english_for_json():
    local = provenance("local", "calico", calico=True)
    with language("zh_CN"):
        assert local.text == LOCAL_CALICO and local.not_on_calico  # the identity stays English
        assert local.translated.startswith("观测自 npkit 对 Calico 规则的 nftables 渲染，由内核实施——而不是 Felix")
        assert provenance("predict", "calico").translated == "仅预测，未观测：什么都没有运行；矩阵来自 npkit 的评估器"
        doc = comparison(TRUTH).to_json()
    assert doc["enforced_by"] == "observed on the sim backend" and PREDICTED.startswith("PREDICTED, NOT OBSERVED")


def test_lab_run_speaks_chinese_on_stderr_and_writes_english_json(registry, tmp_path, capsys):
    scenario, policy = tmp_path / "scenario.yaml", tmp_path / "policy.yaml"
    scenario.write_text(SCENARIO)
    policy.write_text(ALLOW_FRONTEND)
    select.register_backend("sim", SimBackend)
    with language("zh_CN"):
        assert main(["lab", "run", "-f", str(scenario), str(policy), "--backend", "sim", "-o", "json"]) == 0
    captured = capsys.readouterr()
    assert "实验后端：sim——a simulated network" in captured.err
    assert "选择原因：指定了 sim 后端（--backend sim）" in captured.err
    assert "金丝雀检查通过：应用 deny-all 之前为 CONNECTED，之后为 TIMEOUT——sim 后端实施了策略" in captured.err
    assert "实验 npkit-run：已清理" in captured.err
    assert json.loads(captured.out)["enforced_by"] == "observed on the sim backend"
    with language("zh_CN"):
        assert main(["lab", "run", "-f", str(scenario), str(policy), "--backend", "predict"]) == 0
    captured = capsys.readouterr()
    assert "TCP/80：" in captured.out and "个连接，仅预测，未观测（后端 predict）" in captured.out
    assert "关于这个结果：仅预测，未观测：什么都没有运行；矩阵来自 npkit 的评估器。" in captured.out


def test_a_refused_option_names_the_backends_that_take_it_in_chinese(registry):
    with language("zh_CN"), pytest.raises(LabConfigError) as refused:
        select.create_backend("local", cluster="x")
    assert str(refused.value) == ("--name 不能与 local 后端一起使用：local 后端在本机上运行；它没有可指定的 kind 集群；"
                                  "kind 后端支持它。请去掉 --name，或选择其他后端。")


def test_records_ages_and_clean_reports_in_chinese():
    with language("zh_CN"):
        assert [format_age(s) for s in (5, 300, 7200, 172800)] == ["5 秒", "5 分钟", "2 小时", "2 天"]
        assert LabRecord("lab-01", 300, "已保留（npkit lab run --keep）", "2 个 Pod").line() == \
            "lab-01：已保留（npkit lab run --keep），已存在 5 分钟；2 个 Pod"
        assert CleanReport("lab-01", "本机").message() == "实验 lab-01：已无任何残留（本机）"
    assert LabRecord("lab-01", 300, "kept").line() == "lab-01: kept, 5 min old"
    assert CleanReport("lab-01", "this machine", ("x",)).message() == \
        "lab lab-01: removed x; nothing of it is left on this machine"


def test_the_rules_view_explains_itself_in_chinese():
    place = PodPlace("x/a", "npk-l.x.a", "npk1", "10.0.0.1")
    table = "table ip npkit {\n\tchain tw-npk1 {\n\t\taccept\n\t}\n}"
    with language("zh_CN"):
        text = pod_rules(table, "x/a", place)
    assert text.startswith("# x/a 的地址是 10.0.0.1，位于网络命名空间 npk-l.x.a；\n# 它的 veth 在节点命名空间中的一端是 npk1。")
    assert "# 入站：发往 x/a 的数据包" in text and "\tchain tw-npk1 {" in text  # the ruleset itself is nft's


def test_the_guard_refuses_in_chinese():
    with language("zh_CN"), pytest.raises(UnsafeTarget) as refused:
        ContextGuard("npkit-lab").check("prod", "https://prod.example.com")
    assert str(refused.value) == ("拒绝使用上下文 'prod'：npkit 实验只操作 'kind-npkit-lab'。如果仍要使用 'prod'，"
                                  "请传入 --context prod（Python：allow_context='prod'）。")


def test_preflight_and_waiting_speak_chinese():
    runner = healthy_runner()
    runner.programs.discard("kind")
    with language("zh_CN"):
        problems = preflight(runner, load_versions(), "macos").problems
        with pytest.raises(Timeout) as late:
            wait_until(lambda: ["节点 a（NotReady：x）"], "节点", 5, clock=FakeClock())
    assert problems == ["没有安装 kind：`brew install kind`"]
    assert str(late.value) == "节点（等待 5 秒）仍未就绪：节点 a（NotReady：x）"

"""The `npkit` command in Chinese (npkit-tools): help of every level, argparse's own errors, npkit's usage
errors and summaries; English stays argparse's and npkit's exact words."""

from pathlib import Path

import pytest

from npkit.cli.localized import ARGPARSE_MESSAGES, argparse_message
from npkit.cli.main import main
from npkit.i18n import language

POLICIES = (Path(__file__).resolve().parents[1] / "tests" / "data" / "two-pods-deny-all.yaml").read_text()


@pytest.fixture
def policies(tmp_path):
    path = tmp_path / "policies.yaml"
    path.write_text(POLICIES)
    return str(path)


def _chinese(*argv):
    with language("zh_CN"):
        return main(list(argv))


def test_check_summarises_in_chinese(policies, capsys):
    assert _chinese("check", "-f", policies) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "OK：2 个命名空间、2 个 Pod、1 个 NetworkPolicy"
    assert out[1:] == ["在入站方向被隔离的 Pod：1 个（共 2 个）", "  default/web: NetworkPolicy default/deny-all",
                       "在出站方向被隔离的 Pod：0 个（共 2 个）"]
    assert main(["check", "-f", policies]) == 0
    assert capsys.readouterr().out.splitlines()[0] == "OK: 2 namespaces, 2 pods, 1 NetworkPolicy"


def test_help_is_chinese_at_every_level(capsys):
    for argv in (["lab", "--help"], ["lab", "run", "--help"], ["matrix", "--help"]):
        with pytest.raises(SystemExit):
            _chinese(*argv)
        out = capsys.readouterr().out
        assert out.startswith("用法：npkit ") and "\n选项：\n" in out and "显示此帮助信息并退出" in out
    with pytest.raises(SystemExit):
        _chinese("lab", "run", "--help")
    out = capsys.readouterr().out
    assert "跳过金丝雀检查" in out and "本次运行所创建对象的标签值（默认 npkit-run）" in out
    with pytest.raises(SystemExit):
        main(["lab", "--help"])
    assert "\npositional arguments:\n" in capsys.readouterr().out


@pytest.mark.parametrize(("argv", "said"), [
    (["explain", "-f", "x.yaml", "--from", "x/a"], "npkit explain：错误：缺少以下必需参数：--to"),
    (["explain", "-f", "x.yaml", "--from"], "npkit explain：错误：参数 --from：需要一个参数值"),
    (["matrix", "-f", "x.yaml", "--dataplane", "cilium"],
     "npkit matrix：错误：参数 --dataplane：无效的选择：'cilium'（可选：'calico', 'kubernetes'）"),
    (["lab", "run", "-f", "x.yaml", "--workers", "many"], "npkit lab run：错误：参数 --workers：无效的 int 值：'many'"),
    (["check", "-f", "x.yaml", "--bogus"], "npkit：错误：无法识别的参数：--bogus"),
    (["nothing"], "npkit：错误：参数 COMMAND：无效的选择：'nothing'（可选："),
])
def test_argparse_errors_are_said_in_chinese(argv, said, capsys):
    with pytest.raises(SystemExit) as stopped:
        _chinese(*argv)
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and said in err and err.startswith("用法：")


def test_argparse_messages_stay_argparses_own_in_english():
    said = ["the following arguments are required: -f/--filename, --to",
            "argument --dataplane: invalid choice: 'x' (choose from 'calico', 'kubernetes')",
            "argument --port: expected one argument", "argument -f/--filename: expected at least one argument",
            "unrecognized arguments: --bogus a", "argument --workers: invalid int value: 'many'",
            "argument --x: expected 2 arguments", "something argparse will say one day"]
    assert [argparse_message(m) for m in said] == said
    with language("zh_CN"):
        assert argparse_message("argument --x: expected 2 arguments") == "参数 --x：需要 2 个参数值"
        assert argparse_message("something argparse will say one day") == "something argparse will say one day"
    assert len(ARGPARSE_MESSAGES) == len(set(ARGPARSE_MESSAGES))


def test_npkits_own_usage_errors_are_chinese(policies, capsys):
    assert _chinese("explain", "-f", policies, "--from", "x/a", "--to", "default/web", "--port", "http") == 2
    assert capsys.readouterr().err == "npkit explain：--port 'http'：应为数字（如 80）或 53/UDP 这样的形式\n"
    assert _chinese("matrix", "-f", policies, "--to", "web") == 2
    assert capsys.readouterr().err.endswith("npkit matrix：--to 'web' 不是已加载的 Pod；你是指 default/web 吗？\n")
    assert _chinese("lint") == 2
    assert capsys.readouterr().err == "npkit lint：请用 -f PATH 指定要检查的策略（以及 Pod）\n"

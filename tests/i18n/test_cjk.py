"""Chinese done properly where text is laid out: terminal columns (a Chinese character takes two),
figures drawn with a CJK font, and the ways into the Chinese edition (make course, README.zh-CN.md)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from npkit.engine import Engine
from npkit.i18n import ljust, width, wrap
from npkit.matrix import reachability, table
from npkit.model import Cluster, Pod

ROOT = Path(__file__).resolve().parents[2]


def test_widths_count_terminal_columns():
    assert width("命名空间") == 8 and width("x/a") == 3 and width("✓ 允许") == 6
    assert ljust("入站", 6) == "入站  " and width(ljust("入站", 6)) == 6
    assert all(width(line) <= 20 for line in wrap("默认拒绝策略选择命名空间中的所有 Pod，并且不允许任何入站流量。", 20))
    assert wrap("a long English line to wrap", 10) == ["a long", "English", "line to", "wrap"]


def test_a_matrix_with_chinese_labels_stays_aligned(monkeypatch):
    monkeypatch.setattr(table, "CORNER", "来源 \\ 目标")
    pods = (Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))
    text = table.render_table(reachability(Engine(Cluster(pods=pods)), 80), legend=False)
    bars = {sum(width(c) for c in line[:line.index(sep)]) for line in text.splitlines()
            for sep in ("│", "┼") if sep in line}
    assert len(bars) == 1, text  # every row's column separator at the same terminal column
    assert text.splitlines()[1].startswith("来源 \\ 目标 │")


def test_figures_draw_chinese_with_a_cjk_font():
    pytest.importorskip("matplotlib")
    from npkit.widgets.fonts import cjk_family
    from npkit.widgets.render import heatmap

    if cjk_family() is None:
        pytest.skip("no CJK font on this system (apt-get install fonts-noto-cjk; .ci/run does)")
    import matplotlib

    before = list(matplotlib.rcParams["font.family"])
    matrix = reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))), 80)
    figure = heatmap(matrix, title="可达性矩阵")
    assert cjk_family() in figure.axes[0].title.get_fontfamily()
    assert matplotlib.rcParams["font.family"] == before  # the user's settings are left alone
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" when it draws boxes
        figure.canvas.draw()


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
@pytest.mark.skipif(not (ROOT / ".venv" / ".course").exists(), reason="run `make course` or `make test` first")
@pytest.mark.parametrize(("env", "notebook"), [
    ({"NPKIT_LANG": "zh_CN"}, "notebooks/zh-CN/00-welcome.ipynb"),
    ({"LANG": "zh_CN.UTF-8"}, "notebooks/zh-CN/00-welcome.ipynb"),
    ({"NPKIT_LANG": "en", "LANG": "zh_CN.UTF-8"}, "notebooks/00-welcome.ipynb"),
    ({"LANG": "C.UTF-8"}, "notebooks/00-welcome.ipynb"),
])
def test_make_course_opens_the_edition_of_the_language(env, notebook):
    clean = {k: v for k, v in os.environ.items() if k not in ("NPKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG")}
    out = subprocess.run(["make", "-n", "course"], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True,
                         timeout=60).stdout
    assert re.search(rf" {re.escape(notebook)}$", out, re.M), out


def test_the_chinese_readme_shows_real_output_and_the_same_two_commands():
    text = (ROOT / "README.zh-CN.md").read_text(encoding="utf-8")
    english = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "[中文版](README.zh-CN.md)" in english.splitlines()[0]
    commands = re.findall(r"^make \w+", re.search(r"```bash\n(.*?)```", text, re.S).group(1), re.M)
    assert commands == ["make course", "make test"]
    assert "urlpath=lab/tree/notebooks/zh-CN/00-welcome.ipynb" in text
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for block in re.findall(r"```console\n(.*?)```", text, re.S):
        command, *expected = block.rstrip("\n").split("\n")
        out = subprocess.run(command.removeprefix("$ "), shell=True, cwd=ROOT, env=env, capture_output=True,
                             text=True, timeout=60)
        assert out.stdout.splitlines() == expected, out.stderr

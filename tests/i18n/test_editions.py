"""Two editions from one source: every prose cell in English and Chinese, both editions built and fresh,
the zh-CN edition speaking Chinese from its first cell, and every relative link resolving in each edition."""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("npkit_tool_notebooks", ROOT / "tools" / "notebooks.py")
BUILD = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))
_spec.loader.exec_module(BUILD)
SOURCES = BUILD.sources()

# Notebooks and labs whose Chinese prose is still being written (their stem, e.g. "04-ports"): the
# translator removes it when `tools/notebooks.py --untranslated` lists nothing for it (strict).
UNFINISHED_NOTEBOOKS: set[str] = set()


def _pair_check(source):
    marks = [pytest.mark.xfail(strict=True, reason="translation in progress")] if source.stem in UNFINISHED_NOTEBOOKS \
        else []
    return pytest.param(source, marks=marks, id=source.stem)


@pytest.mark.parametrize("source", [_pair_check(s) for s in SOURCES])
def test_every_prose_cell_has_english_and_chinese(source):
    missing = BUILD.untranslated(source)
    assert not missing, f"{source.name}: {len(missing)} prose cells without a zh-CN cell after them: {missing[:3]}"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_both_editions_are_built_and_fresh(source):
    assert not BUILD.stale([source]), "out of date: run `make notebooks`"


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_the_chinese_edition_speaks_chinese_from_its_first_code_cell(source):
    cells = json.loads(BUILD.target(source, "zh-CN").read_text(encoding="utf-8"))["cells"]
    first = next("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    assert first.startswith('import npkit\nnpkit.set_language("zh_CN")')
    english = json.loads(BUILD.target(source).read_text(encoding="utf-8"))["cells"]
    assert len(cells) == len(english)
    for en, zh in zip(english, cells, strict=True):
        assert en["cell_type"] == zh["cell_type"] and "lang" not in zh["metadata"]
        if en["cell_type"] == "markdown":
            assert re.search(r"[\u4e00-\u9fff]", "".join(zh["source"])), f"an English cell in zh-CN: {en['id']}"


EDITIONS = [BUILD.target(s, e) for s in SOURCES for e in BUILD.EDITIONS]
LINK = re.compile(r"\]\(([^)\s]+)\)|href=['\"]([^'\"]+)['\"]")


@pytest.mark.parametrize("notebook", EDITIONS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_every_relative_link_resolves_in_its_edition(notebook):
    broken = []
    for cell in json.loads(notebook.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] != "markdown":
            continue
        for groups in LINK.findall("".join(cell["source"])):
            link = next(g for g in groups if g)
            if re.match(r"^([a-z]+:|#|/)", link):
                continue
            path = (notebook.parent / link.split("#", 1)[0]).resolve()
            if not path.exists():
                broken.append(link)
            elif notebook.parent.name == "zh-CN" and path.suffix == ".ipynb" and path.parent.name != "zh-CN":
                broken.append(f"{link} (the English edition, from the Chinese one)")
    assert not broken, f"{notebook.name}: {broken}"


def _source(tmp_path: Path, text: str) -> Path:
    source = tmp_path / "notebooks" / "src" / "99-x.py"
    source.parent.mkdir(parents=True)
    source.write_text(text, encoding="utf-8")
    return source


def test_one_source_builds_two_editions(tmp_path):
    source = _source(tmp_path, """\
# %% [markdown]
# # Title, see [lab 1](../labs/lab-01-default-deny.ipynb) and [04](04-ports.ipynb#top)

# %% [markdown] lang="zh-CN"
# # 标题

# %%
x = 1

# %% [markdown]
# Not translated yet: [04](04-ports.ipynb), [docs](../docs/sources.md)
""")
    en = [{**c, "source": "".join(c["source"])} for c in json.loads(BUILD.build(source))["cells"]]
    zh = [{**c, "source": "".join(c["source"])} for c in json.loads(BUILD.build(source, "zh-CN"))["cells"]]
    assert [c["source"] for c in en] == [
        "# Title, see [lab 1](../labs/lab-01-default-deny.ipynb) and [04](04-ports.ipynb#top)", "x = 1",
        "Not translated yet: [04](04-ports.ipynb), [docs](../docs/sources.md)"]
    assert [c["source"] for c in zh] == [
        "# 标题", 'import npkit\nnpkit.set_language("zh_CN")  # 中文版：npkit 的输出也是中文\nx = 1',
        "Not translated yet: [04](04-ports.ipynb), [docs](../../docs/sources.md)"]
    assert [c["id"] for c in zh] == [c["id"] for c in en] == ["99-x-000", "99-x-001", "99-x-002"]
    assert BUILD.untranslated(source) == ["Not translated yet: [04](04-ports.ipynb), [docs](../docs/sou"]  # 60 characters
    assert BUILD.targets(source) == [tmp_path / "notebooks" / "99-x.ipynb", tmp_path / "notebooks" / "zh-CN" / "99-x.ipynb"]


def test_a_chinese_cell_must_follow_the_english_one(tmp_path):
    source = _source(tmp_path, '# %%\nx = 1\n\n# %% [markdown] lang="zh-CN"\n# 孤立的\n')
    with pytest.raises(BUILD.SourceError, match="cell 2 .* does not follow an English Markdown cell"):
        BUILD.build(source)


def test_code_comments_gloss_the_chinese_in_english_only():
    """A shared code cell's comment `# 中文  #en: gloss`: `# 中文 (gloss)` in English, `# 中文` in zh-CN."""
    glossed = [s for s in SOURCES if "  #en: " in s.read_text(encoding="utf-8")]
    assert glossed, "no source glosses a Chinese comment any more: drop this test or the mechanism"
    for source in glossed:
        glosses = re.findall(r"  #en: ([^\n\\\\]+)", source.read_text(encoding="utf-8"))
        english, chinese = BUILD.build(source, BUILD.ENGLISH), BUILD.build(source, BUILD.CHINESE)
        assert "#en:" not in english and "#en:" not in chinese
        for gloss in glosses:
            assert f"({gloss.strip()})" in english, f"{source.name}: the English edition lost the gloss {gloss!r}"
            assert f"({gloss.strip()})" not in chinese, f"{source.name}: the zh-CN edition shows the gloss {gloss!r}"

"""The chapter's examples in both editions: the chapter's own words in Chinese, npkit's glosses in English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from npkit.course import chapter_example, chapter_examples, scenario_text
from npkit.course.chapter import in_language
from npkit.i18n import language
from npkit.loading import load_string

CJK = re.compile(r"[\u4e00-\u9fff]")


def comments(text: str) -> list[str]:
    """The YAML comments of a text (a `#` that starts a line or follows a space)."""
    return [m.group(1).strip() for line in text.splitlines() if (m := re.search(r"(?:^|\s)#(.*)$", line))]


@pytest.mark.parametrize("name", chapter_examples())
def test_the_chinese_edition_shows_the_chapter_own_comments_only(name):
    with language("zh_CN"):
        text = chapter_example(name)
    assert "#en" not in text
    for comment in comments(text):
        assert CJK.search(comment), f"{name}: a comment that is not the chapter's: {comment!r}"
        assert not re.search(r"\([a-z][a-z ]+", comment), f"{name}: an English gloss in the Chinese edition: {comment!r}"


@pytest.mark.parametrize("name", chapter_examples())
def test_both_editions_load_as_the_same_objects(name):
    english = load_string(chapter_example(name))
    with language("zh_CN"):
        chinese = load_string(chapter_example(name))
    assert [p.ref for p in english.network_policies] == [p.ref for p in chinese.network_policies]
    assert [p.ref for p in english.calico_policies] == [p.ref for p in chinese.calico_policies]
    assert not english.diagnostics and not chinese.diagnostics


def test_the_english_edition_glosses_every_chapter_comment():
    text = chapter_example("example-policy")
    assert "# 1. 选择策略适用的 Pod (the pods this policy applies to)" in text
    assert text.startswith('# Chapter: "NetworkPolicy 资源结构"')
    with language("zh_CN"):
        chinese = chapter_example("example-policy")
    assert chinese.startswith("apiVersion: networking.k8s.io/v1\n")
    assert "  # 1. 选择策略适用的 Pod\n  podSelector:" in chinese  # indented as the YAML around it


def test_glosses_keep_the_indentation_and_the_rest_of_the_line():
    source = "spec:\n  podSelector: {} # 选择所有 Pod  #en: selects every pod\n  #en: a note\n"
    assert in_language(source, english=True) == "spec:\n  podSelector: {} # 选择所有 Pod (selects every pod)\n  # a note\n"
    assert in_language(source, english=False) == "spec:\n  podSelector: {} # 选择所有 Pod\n"


SCENARIOS = sorted((Path(__file__).resolve().parents[2] / "labs" / "scenarios").glob("*.yaml"))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_a_lab_scenario_shows_chinese_comments_in_chinese_and_glosses_in_english(path):
    with language("zh_CN"):
        chinese = scenario_text(path)
    english = scenario_text(path)
    assert "#en" not in chinese and "#en" not in english
    for comment in comments(chinese):
        assert CJK.search(comment), f"{path.name}: a comment that is not Chinese: {comment!r}"
        assert not re.search(r"\([a-z][a-z ]+", comment), f"{path.name}: an English gloss in Chinese: {comment!r}"
    assert all(re.search(r"\([^)]*[a-z]", c) for c in comments(english)), f"{path.name}: a comment without its gloss"
    def objects(text: str) -> list[str]:
        loaded = load_string(text)
        assert not [d for d in loaded.diagnostics if d.severity != "info"]
        return [re.sub(r"origin=Origin\([^)]*\)", "", repr(p)) for p in loaded.policies + loaded.pods]

    assert objects(chinese) == objects(english)

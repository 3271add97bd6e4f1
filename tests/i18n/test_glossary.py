"""The zh-CN edition and the zh_CN catalogs speak the glossary's language (docs/glossary.zh-CN.md):
each English prose cell that uses a glossary term has a Chinese partner with the term's Chinese (or the
English word kept, as a field name), and no Chinese text uses a word from the "avoid" column."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import jupytext
import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.zh-CN.md"
SOURCES = sorted((ROOT / "notebooks" / "src").glob("[0-9][0-9]-*.py")) + sorted(
    (ROOT / "labs" / "src").glob("lab-[0-9][0-9]-*.py"))
CATALOGS = sorted((ROOT / "npkit" / "locale" / "zh_CN" / "LC_MESSAGES").glob("*.po"))
# English words of the glossary that also have an ordinary meaning the row is not about.
NOT_CHECKED = {
    "except": "also the ordinary conjunction ('every pod except …'); the field `except` is in backticks",
    "lab": "'the selector lab' is a widget, not a hands-on lab (实验)",
    "finding": "the row is lint's findings (检查发现); a review's findings are 审查发现的问题",
}


def _rows() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        if line.startswith("|") and not line.startswith(("|---", "| English")):
            english, chinese, avoid, notes = (c.strip() for c in line.strip().strip("|").split("|"))
            rows.append((english, chinese, avoid, notes))
    return rows


ROWS = _rows()


@cache
def _terms() -> dict[str, list[str]]:
    """English term → its accepted Chinese (the second column's alternatives), for the plain terms."""
    terms = {}
    for english, chinese, _avoid, _notes in ROWS:
        term = re.sub(r"\(.*?\)", "", english).strip().lower()
        if re.fullmatch(r"[a-z][a-z -]*", term) and term not in NOT_CHECKED:
            terms[term] = [t.strip() for t in re.split(r"[/,()（）]", chinese) if t.strip()]
    return terms


def _avoided() -> list[tuple[str, str]]:
    """(English term, a Chinese word to avoid); single characters and usage notes are not checkable as text."""
    out = []
    for english, _chinese, avoid, _notes in ROWS:
        for word in re.split(r"[,，]", avoid):
            word = word.strip()
            if len(word) > 1 and not re.search(r"[A-Za-z]", word):
                out.append((english, word))
    return out


def _allowed_phrases() -> list[str]:
    """The glossary's own Chinese (its terms, and phrases its notes recommend in quotes), longest first."""
    phrases = set()
    for _english, chinese, _avoid, notes in ROWS:
        phrases |= {t.strip() for t in re.split(r"[/,()（）]", chinese) if re.search(r"[\u4e00-\u9fff]", t)}
        phrases |= set(re.findall(r'"([^"]*[\u4e00-\u9fff][^"]*)"', notes))
    return sorted(phrases, key=len, reverse=True)


def _english_prose(text: str) -> str:
    text = re.sub(r"```.*?```|`[^`]*`", " ", text, flags=re.S)  # code
    return re.sub(r"\]\([^)]*\)|https?://\S+", " ", text).lower()  # link targets


@cache
def _pairs() -> tuple[tuple[str, str, str], ...]:
    pairs = []
    for source in SOURCES:
        cells = jupytext.read(source, fmt="py:percent").cells
        for en, zh in zip(cells, cells[1:], strict=False):  # each cell with the next
            if en.cell_type == zh.cell_type == "markdown" and zh.metadata.get("lang") == "zh-CN" \
                    and en.metadata.get("lang", "en") == "en":
                pairs.append((source.stem, en.source, " ".join(zh.source.split())))
    return tuple(pairs)


def _chinese_texts() -> list[tuple[str, str]]:
    texts = [(f"{stem}: {zh[:40]}", zh) for stem, _en, zh in _pairs()]
    for path in CATALOGS:
        with path.open("rb") as f:
            for m in read_po(f):
                strings = m.string if isinstance(m.string, tuple) else (m.string,)
                texts += [(f"{path.name}: {s[:40]}", " ".join(s.split())) for s in strings if m.id and s]
    return texts


@pytest.mark.parametrize("term", sorted(_terms()))
def test_each_term_is_said_the_chapters_way(term):
    chinese = _terms()[term]
    english_word = re.compile(rf"\b{re.escape(term)}(s|es)?\b")
    missing = [f"{stem}: {en.splitlines()[0][:60]}" for stem, en, zh in _pairs()
               if english_word.search(_english_prose(en))
               and not any(c in zh for c in chinese) and not re.search(rf"\b{re.escape(term)}\b", zh, re.I)]
    assert not missing, f"'{term}' is {' / '.join(chinese)} in the zh-CN edition; these cells say neither: {missing}"


def test_no_chinese_text_uses_a_word_to_avoid():
    allowed = _allowed_phrases()
    found = []
    for where, text in _chinese_texts():
        for phrase in allowed:
            text = text.replace(phrase, "\0")
        found += [f"{where}…: {word} (for {english})" for english, word in _avoided() if word in text]
    assert not found, "\n".join(found)


def test_the_glossary_check_can_fail():
    words = dict((w, e) for e, w in _avoided())
    assert {"名字空间", "选择算符", "入口", "缺省拒绝"} <= set(words)
    assert "分层" not in "在策略分层中".replace("策略分层", "\0")  # a phrase the glossary recommends is fine
    assert _terms()["namespace"] == ["命名空间"] and "ingress" in _terms() and len(_pairs()) > 200

"""npkit's message catalogs: fresh (the .po has what the code and course data say, the .mo what the .po
says), complete in zh_CN (no missing, no fuzzy message), placeholders kept, each module in its domain;
and the language npkit speaks, chosen as npkit/i18n.py says."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

import npkit
from npkit import i18n
from npkit.i18n import language

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("npkit_tool_messages", ROOT / "tools" / "messages.py")
MESSAGES = sys.modules.setdefault(_spec.name, importlib.util.module_from_spec(_spec))  # dataclasses look it up
_spec.loader.exec_module(MESSAGES)
DOMAINS = MESSAGES.domains()

# Domains whose zh_CN translation is still being written (docs/translating.md): a translator who wraps more
# messages than they translate in one commit adds their domain here, and removes it when
# `tools/messages.py --stats` shows 0 missing and 0 fuzzy for it. strict: a finished domain left here
# fails, so the list never lies.
UNFINISHED_DOMAINS: set[str] = set()
PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*(?:[.!:][^{}]*)?\}")


def _complete(domain: str):
    return pytest.param(domain, marks=pytest.mark.xfail(strict=True, reason="translation in progress")) \
        if domain in UNFINISHED_DOMAINS else domain


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_catalog_is_fresh(domain):
    status = MESSAGES.status(domain, "zh_CN")
    assert not status.stale, f"{domain}: {status.stale}: run `make messages`"


@pytest.mark.parametrize("domain", [_complete(d) for d in DOMAINS])
def test_each_catalog_is_complete_in_chinese(domain):
    status = MESSAGES.status(domain, "zh_CN")
    assert not status.missing and not status.fuzzy, (
        f"{domain}: {len(status.missing)} without a translation, {len(status.fuzzy)} fuzzy; first: "
        f"{(status.missing + status.fuzzy)[:3]}")


def test_unfinished_domains_are_domains():
    assert UNFINISHED_DOMAINS <= set(DOMAINS)


@pytest.mark.parametrize("domain", list(MESSAGES.CODE_DOMAINS))  # course data is Markdown, never format()ted
def test_translations_keep_their_placeholders(domain):
    catalog = MESSAGES.read_catalog(domain, "zh_CN")
    problems = []
    for m in catalog:
        if not m.id or m.fuzzy or not MESSAGES._translated(m):
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        wanted = sorted(PLACEHOLDER.findall(ids[-1]))
        for s in strings:
            if sorted(PLACEHOLDER.findall(s)) != wanted:
                problems.append(f"placeholders {wanted} in {ids[0][:60]!r}, but {sorted(PLACEHOLDER.findall(s))}")
    assert not problems, "\n".join(problems)


def test_every_module_is_in_one_domain_and_asks_for_it():
    owner = {}
    for domain in MESSAGES.CODE_DOMAINS:
        for path in MESSAGES.code_files(domain):
            assert path not in owner, f"{path} is in {owner[path]} and {domain}"
            owner[path] = domain
    wrong = []
    for path in sorted((ROOT / "npkit").rglob("*.py")):
        assert path in owner, f"{path.relative_to(ROOT)} is in no domain of tools/messages.py CODE_DOMAINS"
        for asked in re.findall(r"""messages\(["']([^"']+)["']\)""", path.read_text(encoding="utf-8")):
            if asked != owner[path]:
                wrong.append(f"{path.relative_to(ROOT)} asks for {asked!r}; its domain is {owner[path]!r}")
    assert not wrong, "\n".join(wrong)


def test_a_stale_catalog_is_reported(monkeypatch):
    template = MESSAGES.template

    def with_a_new_message(domain):
        catalog = template(domain)
        catalog.add("a message nobody extracted yet")
        return catalog

    monkeypatch.setattr(MESSAGES, "template", with_a_new_message)
    assert "1 new and 0 removed" in MESSAGES.status("npkit", "zh_CN").stale


# -- which language ----------------------------------------------------------------------------------------

@pytest.mark.parametrize(("env", "expected"), [
    ({"NPKIT_LANG": "zh_CN"}, "zh_CN"),
    ({"NPKIT_LANG": "zh-CN", "LANG": "en_US.UTF-8"}, "zh_CN"),
    ({"LC_ALL": "zh_CN.UTF-8"}, "zh_CN"),
    ({"LC_ALL": "C", "LANG": "zh_CN.UTF-8"}, "en"),       # LC_ALL decides, even when it says C
    ({"LC_MESSAGES": "zh_SG.UTF-8", "LANG": "en_GB"}, "zh_CN"),
    ({"LANG": "fr_FR.UTF-8"}, "en"),                      # no French catalog: English
    ({"LANG": "zh_TW.UTF-8"}, "en"),                      # Traditional Chinese: not the zh_CN catalogs
    ({}, "en"),
])
def test_the_language_comes_from_npkit_lang_then_the_locale(monkeypatch, env, expected):
    for name in ("NPKIT_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert i18n.get_language() == expected


def test_set_language_is_the_users_choice_and_language_a_block():
    try:
        npkit.set_language("zh_CN")
        assert npkit.get_language() == "zh_CN"
        seen = []
        thread = threading.Thread(target=lambda: seen.append(i18n.get_language()))  # a widget callback, say
        thread.start()
        thread.join()
        assert seen == ["zh_CN"]
        with language("en"):
            assert i18n.get_language() == "en"
        assert i18n.get_language() == "zh_CN"
    finally:
        npkit.set_language(None)
    assert i18n.get_language() == "en"  # NPKIT_LANG=en (tests/conftest.py)
    with pytest.raises(ValueError, match="npkit speaks en, zh_CN, not 'fr'"):
        npkit.set_language("fr")


def test_a_block_in_one_thread_leaves_the_others_alone():
    inside, outside = threading.Event(), []
    done = threading.Event()

    def chinese_block():
        with language("zh_CN"):
            inside.set()
            done.wait(5)

    thread = threading.Thread(target=chinese_block)
    thread.start()
    inside.wait(5)
    outside.append(i18n.get_language())
    done.set()
    thread.join()
    assert outside == ["en"]


def test_a_message_without_translation_stays_english():
    with language("zh_CN"):
        assert i18n.translate("npkit", "no such message, surely") == "no such message, surely"
        assert i18n.translate("no-such-domain", "  text\n") == "  text\n"
        untranslated = i18n.messages("npkit").ngettext("{n} apple", "{n} apples", 3)
    assert untranslated == "{n} apples"  # gettext's English plural, not a one-form catalog's singular


def test_lazy_text_is_translated_when_shown():
    text = i18n.messages("npkit").lazy_gettext("denied: ingress {ingress}")
    assert f"{text}" == "denied: ingress {ingress}"
    with language("zh_CN"):
        assert text.format(ingress="X") == "拒绝：入站方向X"


# -- the pilot, end to end -----------------------------------------------------------------------------------

POLICIES = (ROOT / "tests" / "data" / "two-pods-deny-all.yaml").read_text()


def _npkit(lang: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "NPKIT_LANG": lang, "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "npkit.cli.main", *args], input=stdin, capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=60)


def test_npkit_explain_speaks_chinese_when_asked():
    args = ("explain", "-f", "-", "--from", "x/a", "--to", "default/web", "--port", "80")
    zh = _npkit("zh_CN", *args, stdin=POLICIES).stdout
    assert zh.startswith("x/a → default/web  TCP/80：拒绝\n")
    assert "default/web 的入站：拒绝" in zh
    assert "⇒ 拒绝：default/web 在入站方向被 NetworkPolicy default/deny-all 隔离，而这些策略没有一条规则允许此连接" in zh
    en = _npkit("en", *args, stdin=POLICIES).stdout
    assert en.startswith("x/a → default/web  TCP/80: DENIED\n")
    assert ("⇒ denied: default/web is isolated for ingress by NetworkPolicy default/deny-all, and no rule of "
            "those policies allows this connection") in en


def test_npkit_help_and_errors_speak_chinese_when_asked():
    help_text = _npkit("zh_CN", "--help").stdout
    assert help_text.startswith("用法：npkit [-h] COMMAND ...")
    assert "退出码：\n  0    成功" in help_text and "  130  已中断（Ctrl-C）" in help_text
    error = _npkit("zh_CN", "explain", "-f", "-", "--from", "x/a")
    assert error.returncode == 2 and "npkit explain：错误：" in error.stderr


def test_interrupted_is_said_in_the_language(monkeypatch, capsys):
    from npkit.cli import main as cli

    def interrupted(argv=None):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "build_parser", interrupted)
    with language("zh_CN"):
        assert cli.main(["check"]) == 130
    assert capsys.readouterr().err == "npkit：已中断\n"

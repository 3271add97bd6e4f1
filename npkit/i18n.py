"""The language npkit speaks, and its message catalogs (gettext `.mo` files under npkit/locale/).

Every user-visible message goes through a catalog of one *domain* (see docs/translating.md)::

    from ..i18n import messages
    _, ngettext = messages("npkit").gettext, messages("npkit").ngettext

    _("{pod} is isolated for ingress by {policy}").format(pod=pod, policy=ref)
    ngettext("{n} error in the input", "{n} errors in the input", n).format(n=n)

The language, first found wins: `language(...)` around a block (a context variable: library code and
tests use it, nothing else changes), the user's explicit `set_language(...)` (`npkit.set_language`),
the `NPKIT_LANG` environment variable, the locale (`LC_ALL`, `LC_MESSAGES`, `LANG`), else English.
A message missing from a catalog is shown in English.

>>> with language("zh_CN"):
...     get_language()
'zh_CN'
>>> normalize("zh_CN.UTF-8"), normalize("zh-Hans"), normalize("en_GB"), normalize("C")
('zh_CN', 'zh_CN', 'en', None)

This module imports nothing from npkit (it is the bottom layer); it reads the environment only to
find the default language, and its catalogs only when a message is looked up.
"""

from __future__ import annotations

import contextlib
import contextvars
import gettext as _gettext
import os
from functools import cache

TYPE_CHECKING = False  # not typing's: `npkit` imports this module at start-up, so it stays small
if TYPE_CHECKING:
    import re
    from collections.abc import Callable, Iterator, Sequence

__all__ = ["LANGUAGES", "LazyText", "Messages", "N_", "get_language", "language", "ljust", "messages", "normalize",
           "series", "set_language", "tidy", "translate", "width", "wrap"]

ENGLISH = "en"
LANGUAGES = (ENGLISH, "zh_CN")  # the languages npkit speaks; each but English has npkit/locale/<lang>/
ENVIRONMENT = ("NPKIT_LANG",)
LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")  # POSIX precedence: the first one set decides

# The folder of each language's edition of the notebooks and labs (notebooks/zh-CN/, labs/zh-CN/; BCP 47
# names, as on the web); English is the folders themselves.
EDITIONS = {ENGLISH: "", "zh_CN": "zh-CN"}

# Which Chinese locales the zh_CN (Simplified) catalogs serve; Traditional ones (zh_TW, zh_HK) get English.
_ALIASES = {"zh": "zh_CN", "zh_cn": "zh_CN", "zh_sg": "zh_CN", "zh_hans": "zh_CN", "zh_hans_cn": "zh_CN"}

# The current language in this context (a block under `language(...)`): unset outside such blocks.
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("npkit_language", default=None)
# The user's explicit choice (`set_language`), for every context that made none: threads and callbacks
# (a widget's button handler runs outside the notebook cell's context) see it too.
_chosen: str | None = None


def normalize(name: str | None) -> str | None:
    """The language npkit speaks for a locale name (`zh_CN.UTF-8`, `zh-Hans`, `en_US`), or None for C/POSIX/empty.

    Every other language is English (npkit has no catalog for it).
    """
    if not name:
        return None
    base = name.split(".", 1)[0].split("@", 1)[0].replace("-", "_")
    if base in ("", "C", "POSIX"):
        return None
    return _ALIASES.get(base.lower(), ENGLISH)


def _from_environment() -> str:
    for variable in ENVIRONMENT:
        chosen = normalize(os.environ.get(variable))
        if chosen:
            return chosen
    for variable in LOCALE_VARIABLES:
        value = os.environ.get(variable)
        if value:  # the first one set decides, even when it says C (English)
            return normalize(value) or ENGLISH
    return ENGLISH


def get_language() -> str:
    """The language messages are shown in now: "en" or "zh_CN"."""
    return _current.get() or _chosen or _from_environment()


def _checked(lang: str) -> str:
    chosen = normalize(lang)
    if chosen is None or (chosen == ENGLISH and not lang.lower().startswith("en")):
        raise ValueError(messages("npkit").gettext("npkit speaks {languages}, not {lang}").format(
            languages=", ".join(LANGUAGES), lang=repr(lang)))
    return chosen


def edition(lang: str | None = None) -> str:
    """The edition folder of `lang` (default: the current language): "" for English, "zh-CN" for Chinese.

    >>> edition("zh_CN"), edition("en")
    ('zh-CN', '')
    """
    return EDITIONS[lang or get_language()]


def set_language(lang: str | None) -> None:
    """Speak `lang` ("zh_CN" or "en") from now on in this process; None goes back to NPKIT_LANG or the locale.

    >>> set_language("zh_CN"); get_language()
    'zh_CN'
    >>> set_language(None)
    """
    global _chosen
    _chosen = None if lang is None else _checked(lang)
    _current.set(None)  # an explicit choice also ends what this context said before


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Speak `lang` inside the block only (this thread or task; nothing else changes)."""
    token = _current.set(_checked(lang))
    try:
        yield get_language()
    finally:
        _current.reset(token)


@cache
def _catalog(domain: str, lang: str) -> _gettext.NullTranslations:
    """The compiled catalog of `domain` in `lang`; English (the messages themselves) when there is none."""
    if lang == ENGLISH:
        return _gettext.NullTranslations()
    from importlib.resources import files  # here: `npkit --help` and Ctrl-C at start-up need not load it

    mo = files("npkit").joinpath("locale").joinpath(lang).joinpath("LC_MESSAGES").joinpath(f"{domain}.mo")
    if not mo.is_file():
        return _gettext.NullTranslations()
    with mo.open("rb") as f:
        return _gettext.GNUTranslations(f)


def translate(domain: str, message: str) -> str:
    """`message` (its English text) in the current language, from `domain`'s catalog.

    Course data is looked up by its text without surrounding white space (tools/messages.py extracts it so);
    a message without a translation comes back unchanged.
    """
    key = message.strip()
    if not key:  # gettext's "" is the catalog's header
        return message
    catalog = _catalog(domain, get_language())
    found = catalog.gettext(message)
    if found is message and key != message:
        found = catalog.gettext(key)
    return message if found is key else found


def N_(message: str) -> str:
    """Mark `message` for extraction without translating it (translate where it is shown: `_(CONSTANT)`)."""
    return message


class LazyText:
    """A message translated each time it is shown, in the language of that moment (module-level constants).

    >>> text = LazyText(lambda: get_language())
    >>> with language("zh_CN"):
    ...     f"{text}"
    'zh_CN'
    """

    __slots__ = ("_render",)

    def __init__(self, render: Callable[[], str]):
        self._render = render

    def __str__(self) -> str:
        return self._render()

    def __repr__(self) -> str:
        return f"LazyText({self._render()!r})"

    def __format__(self, spec: str) -> str:
        return format(self._render(), spec)

    def __eq__(self, other: object) -> bool:
        return self._render() == (str(other) if isinstance(other, LazyText) else other)

    def __hash__(self) -> int:
        return hash(self._render())

    def __add__(self, other: str) -> str:
        return self._render() + other

    def __radd__(self, other: str) -> str:
        return other + self._render()

    def __len__(self) -> int:
        return len(self._render())

    def format(self, *args: object, **kwargs: object) -> str:
        """str.format on the translation."""
        return self._render().format(*args, **kwargs)


class Messages:
    """One domain's translation functions; Babel extracts the calls by these names (see docs/translating.md)."""

    __slots__ = ("gettext", "lazy_gettext", "ngettext", "pgettext")

    def __init__(self, gettext: Callable[[str], str], ngettext: Callable[[str, str, int], str],
                 pgettext: Callable[[str, str], str], lazy_gettext: Callable[[str], LazyText]):
        self.gettext, self.ngettext, self.pgettext, self.lazy_gettext = gettext, ngettext, pgettext, lazy_gettext


@cache
def messages(domain: str) -> Messages:
    """The translation functions of `domain` ("npkit", "npkit-tools", "npkit-ui", "course-03", ...).

    >>> _ = messages("npkit").gettext
    >>> with language("en"):
    ...     _("allowed")
    'allowed'
    """

    def gettext(message: str) -> str:
        return translate(domain, message)

    def ngettext(singular: str, plural: str, n: int) -> str:
        return _catalog(domain, get_language()).ngettext(singular, plural, n)

    def pgettext(context: str, message: str) -> str:
        return _catalog(domain, get_language()).pgettext(context, message)

    def lazy_gettext(message: str) -> LazyText:
        return LazyText(lambda: translate(domain, message))

    return Messages(gettext, ngettext, pgettext, lazy_gettext)


# -- lists in a sentence ----------------------------------------------------------------------------------------

def series(items: Sequence[str], conjunction: str = "and") -> str:
    """`items` as a sentence lists them: "a, b and c" (or "a, b or c"); Chinese "a、b 和 c".

    >>> series(["x/a", "x/b", "x/c"]), series(["TCP"], "or"), series([])
    ('x/a, x/b and x/c', 'TCP', '')
    >>> with language("zh_CN"):
    ...     series(["x/a", "x/b", "x/c"])
    'x/a、x/b 和 x/c'
    """
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    _ = messages("npkit").gettext
    head = _(", ").join(items[:-1])
    template = _("{items} or {last}") if conjunction == "or" else _("{items} and {last}")
    return template.format(items=head, last=items[-1])


_CJK = "\u2e80-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef"  # ideographs, CJK and full-width punctuation


@cache
def _space_between_cjk() -> re.Pattern[str]:
    import re

    return re.compile(f"(?<=[{_CJK}]) (?=[{_CJK}])")


def tidy(text: str) -> str:
    """`text` without the single spaces that a filled-in template leaves between two Chinese characters.

    A template puts a space around each placeholder, as Chinese does next to Latin text ("选择 {pods}");
    when the value is itself Chinese, that space would sit between two Chinese characters.

    >>> tidy("shop/web 匹配 任意命名空间中的 app == 'web'"), tidy("x/a → x/b  TCP/80")
    ("shop/web 匹配任意命名空间中的 app == 'web'", 'x/a → x/b  TCP/80')
    """
    if text.isascii():
        return text
    return _space_between_cjk().sub("", text)


# -- terminal widths ------------------------------------------------------------------------------------------
# A Chinese character takes two terminal columns; len() counts one. Columns of text (matrices, tables,
# `--help`) are aligned by these, with wcwidth's East Asian widths.

def width(text: str) -> int:
    """The columns `text` takes in a terminal (two for each wide East Asian character).

    >>> width("from \\\\ to"), width("来源 \\\\ 目标")
    (9, 11)
    """
    if text.isascii():
        return len(text)
    from wcwidth import wcswidth  # here: ASCII text, the common case, never loads it

    columns = wcswidth(text)
    return columns if columns >= 0 else len(text)  # a control character: count characters


def ljust(text: str, columns: int) -> str:
    """`text` padded with spaces to `columns` terminal columns (str.ljust counts characters)."""
    return text + " " * (columns - width(text))


def wrap(text: str, columns: int) -> list[str]:
    """`text` in lines of at most `columns` terminal columns: at spaces, and between wide characters.

    >>> wrap("允许来自标签 project=frontend 的命名空间", 16)
    ['允许来自标签', 'project=frontend', '的命名空间']
    """
    if text.isascii():
        import textwrap

        return textwrap.wrap(text, columns)
    lines: list[str] = []
    line = ""
    for token in _tokens(text):
        if not line or width(line.rstrip() + token.rstrip()) <= columns:
            line += token
        elif token[0] in _NO_BREAK_BEFORE and len(line) > 1 and width(line[-1]) == 2:
            lines.append(line[:-1].rstrip())  # closing punctuation never starts a line: it takes a character along
            line = line[-1] + token
        else:
            lines.append(line.rstrip())
            line = token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


_NO_BREAK_BEFORE = frozenset("，。、：；！？）》」』,.:;!?)")  # a line never starts with closing punctuation


def _tokens(text: str) -> list[str]:
    """Words with their trailing space, and each wide character alone (a line may break after any of them)."""
    tokens: list[str] = []
    for ch in " ".join(text.split()):
        if tokens and ch != " " and width(ch) == 1 and width(tokens[-1][-1]) == 1 and not tokens[-1].endswith(" "):
            tokens[-1] += ch
        elif ch == " " and tokens:
            tokens[-1] += ch
        else:
            tokens.append(ch)
    return tokens

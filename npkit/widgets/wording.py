"""Words several widgets share, in the current language: lists, label separators, severities.

Chinese joins a list with 、 and puts a full-width colon after a label; English uses ", " and ": ".
Each is one message (with a context, since the same English serves other purposes), so the
widgets that build a line of parts (`line 3: error: spec.ingress: …`) need no per-language code.

>>> listing(["a", "b"]), labelled("line 3", "error", "must be a list")
('a, b', 'line 3: error: must be a list')
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..i18n import N_, messages

_ = messages("npkit-ui").gettext
pgettext = messages("npkit-ui").pgettext

SEVERITIES = {"error": N_("error"), "warning": N_("warning"), "info": N_("info")}


def listing(items: Iterable[str]) -> str:
    """The items as a list: "a, b, c" ("a、b、c" in Chinese)."""
    # Translators: between the items of a list (Chinese: 、)
    return pgettext("list separator", ", ").join(items)


def labelled(*parts: str) -> str:
    """Parts that each label the next: "line 3: error: message" ("第 3 行：错误：message" in Chinese)."""
    # Translators: between a label and what it labels, e.g. "line 3: error: …" (Chinese: a full-width colon)
    return pgettext("label separator", ": ").join(parts)


def clauses(parts: Iterable[str]) -> str:
    """Clauses in one line: "a; b" ("a；b" in Chinese)."""
    # Translators: between clauses or items that are phrases, e.g. "3 answered, 2 right first time; exercises 1/2"
    return pgettext("semicolon", "; ").join(parts)


_SPACE_BETWEEN_WIDE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef]) (?=[\u3000-\u9fff\uff00-\uffef])")


def tidy(text: str) -> str:
    """`text` without a space between two Chinese characters (left by a Latin word replaced with Chinese)."""
    return _SPACE_BETWEEN_WIDE.sub("", text)


def severity(name: str) -> str:
    """A diagnostic's severity ("error", "warning", "info") in words."""
    return _(SEVERITIES[name]) if name in SEVERITIES else name

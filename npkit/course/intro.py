"""The first cell of every notebook: what it covers and how long it takes.

`intro("03")` reads npkit/data/course/notebooks.yaml, so the course map and the
notebooks say the same thing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from functools import lru_cache
from html import escape

import yaml

from ..i18n import messages, translate
from ..widgets.wording import listing
from .clusters import read_data
from .progress import start_notebook

_ = messages("npkit-ui").gettext
PREDICT_ONLY = "predict"  # NPKIT_LAB_BACKEND value on Binder: no cluster, predictions only


@dataclass(frozen=True)
class Intro:
    """A notebook's introduction; displays as text and HTML."""

    id: str
    title: str
    minutes: int
    covers: tuple[str, ...]
    chapter: str = ""
    file: str = ""

    @property
    def is_lab(self) -> bool:
        return self.id.startswith("L")

    def text(self) -> str:
        """The introduction as plain text.

        >>> print(intro("00").text().splitlines()[0])
        00 · Welcome: about 10 minutes
        """
        return "\n".join([self._heading(), *self._chapter(), _("What this covers:"),
                          *(f"  • {c}" for c in self.covers), *self._mode()])

    def _heading(self) -> str:
        return _("{id} · {title}: about {minutes} minutes").format(id=self.id, title=self.title, minutes=self.minutes)

    def _chapter(self) -> list[str]:
        return [_("Chapter: {chapter}").format(chapter=self.chapter)] if self.chapter else []

    def _mode(self) -> list[str]:
        """On Binder, a lab says it only predicts."""
        if self.is_lab and os.environ.get("NPKIT_LAB_BACKEND") == PREDICT_ONLY:
            return [_("This session has no cluster (e.g. Binder): the lab runs in prediction-only mode, "
                      "showing what the engine predicts instead of probing.")]
        return []

    def __repr__(self) -> str:
        return self.text()

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{escape(c)}</li>" for c in self.covers)
        other = "".join(f"<p>{escape(line)}</p>" for line in self._chapter() + self._mode())
        covers = escape(_("What this covers:"))
        return ('<div style="border-left:4px solid var(--jp-brand-color1,#0969da);padding:4px 10px;'
                'background:var(--jp-layout-color2,#f6f8fa)">'
                f"<b>{escape(self._heading())}</b>{other}<div>{covers}</div><ul>{items}</ul></div>")


@lru_cache(maxsize=1)
def _notebooks() -> dict[str, Intro]:
    raw = yaml.safe_load(read_data("notebooks.yaml"))
    for key, entry in raw.items():
        if not all(isinstance(c, str) for c in entry["covers"]):
            raise ValueError(_("notebooks.yaml: {key}: every 'covers' item must be text (quote lines with ': ')")
                             .format(key=key))
    return {str(k): Intro(str(k), v["title"], int(v["minutes"]), tuple(v["covers"]), v.get("chapter", ""),
                          v.get("file", "")) for k, v in raw.items()}


def notebooks() -> tuple[Intro, ...]:
    """Every notebook and lab of the course, in order."""
    return tuple(_in_language(i) for i in _notebooks().values())


def _in_language(card: Intro) -> Intro:
    """The card in the current language: the notebook's catalog (domain course-<id>) has its words."""
    domain = f"course-{card.id}"
    return replace(card, title=translate(domain, card.title), chapter=translate(domain, card.chapter),
                   covers=tuple(translate(domain, c) for c in card.covers))


def intro(notebook_id: str) -> Intro:
    """The introduction for notebook `notebook_id` ("00" … "10", "L1" … "L4"); from here on the
    notebook's widgets remember the learner's answers in their progress file."""
    table = _notebooks()
    key = str(notebook_id)
    if key not in table:
        raise KeyError(_("no notebook {id!r}; choose one of {ids}").format(id=key, ids=listing(table)))
    start_notebook(key)
    return _in_language(table[key])

"""The course home (every notebook and lab, with links, minutes and ticks) and each notebook's
"What next" (a link to the next one, and a button to mark this one done).

    course_home()          # in 00: the whole course and where the learner stands
    what_next("03")        # the last cell of notebook 03

Ticks come from the learner's progress file (npkit.course.progress): a notebook is ticked when
the learner marked it done; the counts say how many questions they answered (and how many right
the first time) and which exercises they passed.
"""

from __future__ import annotations

import posixpath
from html import escape

import ipywidgets as w

from ..i18n import edition, get_language
from ..widgets.view import View
from .exercises import Exercise
from .intro import Intro, notebooks
from .progress import NotebookProgress, progress


def in_edition(path: str, lang: str | None = None) -> str:
    """A notebook's or folder's path in the edition of `lang` (default: the current language).

    >>> in_edition("notebooks/01-anatomy.ipynb", "zh_CN"), in_edition("labs", "zh_CN"), in_edition("labs", "en")
    ('notebooks/zh-CN/01-anatomy.ipynb', 'labs/zh-CN', 'labs')
    """
    folder = edition(lang)
    if not folder:
        return path
    top, _, rest = path.partition("/")
    return posixpath.join(top, folder, rest) if rest else posixpath.join(top, folder)


def _link(entry: Intro, here: str) -> str:
    """The notebook's path in the current edition, relative to the folder (`here`, in English terms:
    "notebooks", "labs") of the notebook showing the link, which is in the same edition."""
    return posixpath.relpath(in_edition(entry.file), in_edition(here)) if entry.file else ""


def other_edition(here: str = "notebooks") -> tuple[str, str]:
    """The course home of the other edition (English ↔ 中文), relative to `here` in this one: (label, link)."""
    home = notebooks()[0].file
    lang = "en" if get_language() != "en" else "zh_CN"
    label = "English edition" if lang == "en" else "中文版"
    return label, posixpath.relpath(in_edition(home, lang), in_edition(here))


def _exercises(notebook: str) -> tuple[str, ...]:
    return tuple(e.id for e in Exercise.all() if e.notebook == notebook)


def _status(entry: Intro, record: NotebookProgress) -> str:
    parts = []
    if record.answered:
        parts.append(f"{record.answered} answered, {record.first_right} right first time")
    exercises = _exercises(entry.id)
    if exercises:
        passed = sum(1 for e in exercises if e in record.exercises_passed)
        parts.append(f"exercises {passed}/{len(exercises)}")
    return "; ".join(parts)


class CourseHome:
    """Every notebook and lab of the course with a link, its minutes and the learner's tick.

    >>> home = CourseHome(here="notebooks")
    >>> home.rows[1][:3]
    ('01', 'Anatomy of a NetworkPolicy', '01-anatomy.ipynb')
    """

    def __init__(self, here: str = "notebooks"):
        self.here = here
        self.rows: list[tuple[str, str, str, int, bool, str]] = []
        for entry in notebooks():
            record = progress(entry.id).summary()
            self.rows.append((entry.id, entry.title, _link(entry, here), entry.minutes, record.done,
                              _status(entry, record)))

    @property
    def minutes(self) -> int:
        return sum(r[3] for r in self.rows)

    def __repr__(self) -> str:
        hours, minutes = divmod(self.minutes, 60)
        label, link = other_edition(self.here)
        lines = [f"The course: {len(self.rows)} notebooks and labs, about {hours} h {minutes} min",
                 f"  {label}: {link}"]
        for nid, title, link, length, done, status in self.rows:
            tail = f"  — {status}" if status else ""
            lines.append(f"  [{'x' if done else ' '}] {nid:>3}  {title} ({length} min) {link}{tail}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        for nid, title, link, minutes, done, status in self.rows:
            tick = ('<span title="marked done" style="color:var(--jp-success-color0,#1b5e20);font-weight:700">✓</span>'
                    if done else '<span style="color:var(--jp-ui-font-color3,#999)">○</span>')
            rows.append(f"<tr><td style='text-align:center'>{tick}</td><td>{escape(nid)}</td>"
                        f"<td style='text-align:left'><a href='{escape(link)}'>{escape(title)}</a></td>"
                        f"<td>{minutes} min</td><td style='text-align:left;color:var(--jp-ui-font-color2,#666)'>"
                        f"{escape(status)}</td></tr>")
        label, link = other_edition(self.here)
        return (f"<div class='npkit-home'><p style='text-align:right'><a href='{escape(link)}'>{escape(label)}</a>"
                f"</p><b>The course</b>: {len(self.rows)} notebooks and labs, about "
                f"{self.minutes // 60} h {self.minutes % 60} min. A tick means you marked it done (the "
                "<i>What next</i> button at its end); your answers are kept between sessions "
                "(<code>npkit.course.reset_progress()</code> forgets them).<table><tr><th></th><th></th>"
                f"<th style='text-align:left'>notebook</th><th>time</th><th style='text-align:left'>your progress</th>"
                f"</tr>{''.join(rows)}</table></div>")


def course_home(here: str = "notebooks") -> CourseHome:
    """The course home; `here` is the folder of the notebook showing it (links are relative to it)."""
    return CourseHome(here)


class NextState:
    """What "What next" knows: this notebook, the next one, and whether this one is marked done."""

    def __init__(self, notebook: str, here: str):
        entries = notebooks()
        ids = [e.id for e in entries]
        if notebook not in ids:
            raise KeyError(f"no notebook {notebook!r}; choose one of {', '.join(ids)}")
        at = ids.index(notebook)
        self.entry = entries[at]
        self.next = entries[at + 1] if at + 1 < len(entries) else None
        self.here = here
        self.progress = progress(notebook)

    @property
    def done(self) -> bool:
        return "" in self.progress.completed()

    def mark_done(self) -> None:
        """Tick this notebook in the course home."""
        self.progress.complete("")

    def link(self) -> str:
        return _link(self.next, self.here) if self.next else ""

    def text_report(self) -> str:
        if self.next is None:
            return f"{self.entry.id} is the last part of the course. The course home is in 00-welcome."
        return f"Next: {self.next.id} · {self.next.title} (about {self.next.minutes} min): {self.link()}"


class WhatNext(View[NextState]):
    """A link to the next notebook and a button that marks this one done (its tick in the course home)."""

    def __init__(self, notebook: str, here: str = "notebooks"):
        self.state = NextState(notebook, here)
        s = self.state
        if s.next is not None:
            target = (f"Next: <a href='{escape(s.link())}'><b>{escape(s.next.id)} · {escape(s.next.title)}</b></a> "
                      f"(about {s.next.minutes} min)")
        else:
            target = "That was the last part of the course: well done."
        home = _link(notebooks()[0], here)
        self.button = w.Button(description="", icon="check", layout=w.Layout(width="auto"))
        self.button.on_click(lambda _b: self._toggle())
        self.widget = w.HBox([w.HTML(f"{target} · <a href='{escape(home)}'>course home</a>"), self.button],
                             layout=w.Layout(align_items="center", flex_flow="row wrap", grid_gap="12px"))
        self.widget.add_class("npkit-what-next")
        self._paint()

    def _toggle(self) -> None:
        if self.state.done:
            self.state.progress.reopen("")
        else:
            self.state.mark_done()
        self._paint()

    def _paint(self) -> None:
        done = self.state.done
        self.button.description = f"{self.state.entry.id} done ✓" if done else f"Mark {self.state.entry.id} as done"
        self.button.button_style = "success" if done else ""


def what_next(notebook: str, here: str = "notebooks") -> WhatNext:
    """The end of a notebook: a link to the next one and a button to mark this one done."""
    return WhatNext(notebook, here)

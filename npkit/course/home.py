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

from ..i18n import edition, get_language, messages
from ..widgets.view import View
from ..widgets.wording import clauses, listing
from .exercises import Exercise
from .intro import Intro, notebooks
from .progress import NotebookProgress, progress

_ = messages("npkit-ui").gettext


def in_edition(path: str, lang: str | None = None) -> str:
    """A notebook's or folder's path in the edition of `lang` (default: the current language).

    >>> in_edition("notebooks/01-anatomy.ipynb", "zh_CN"), in_edition("labs", "zh_CN"), in_edition("labs", "en")
    ('notebooks/zh-CN/01-anatomy.ipynb', 'labs/zh-CN', 'labs')
    """
    folder = edition(lang)
    if not folder:
        return path
    top, _slash, rest = path.partition("/")
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
        parts.append(_("{answered} answered, {right} right first time").format(answered=record.answered,
                                                                              right=record.first_right))
    exercises = _exercises(entry.id)
    if exercises:
        passed = sum(1 for e in exercises if e in record.exercises_passed)
        parts.append(_("exercises {passed}/{total}").format(passed=passed, total=len(exercises)))
    return clauses(parts)


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
        lines = [_("The course: {n} notebooks and labs, about {hours} h {minutes} min").format(
            n=len(self.rows), hours=hours, minutes=minutes), f"  {label}: {link}"]
        for nid, title, link, length, done, status in self.rows:
            tail = f"  — {status}" if status else ""
            entry = _("{title} ({minutes} min)").format(title=title, minutes=length)
            lines.append(f"  [{'x' if done else ' '}] {nid:>3}  {entry} {link}{tail}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = []
        done_title = escape(_("marked done"))
        for nid, title, link, minutes, done, status in self.rows:
            tick = (f'<span title="{done_title}" style="color:var(--jp-success-color0,#1b5e20);font-weight:700">✓'
                    "</span>" if done else '<span style="color:var(--jp-ui-font-color3,#999)">○</span>')
            length = escape(_("{minutes} min").format(minutes=minutes))
            rows.append(f"<tr><td style='text-align:center'>{tick}</td><td>{escape(nid)}</td>"
                        f"<td style='text-align:left'><a href='{escape(link)}'>{escape(title)}</a></td>"
                        f"<td>{length}</td><td style='text-align:left;color:var(--jp-ui-font-color2,#666)'>"
                        f"{escape(status)}</td></tr>")
        label, link = other_edition(self.here)
        about = _("<b>The course</b>: {n} notebooks and labs, about {hours} h {minutes} min. A tick means you marked "
                  "it done (the <i>What next</i> button at its end); your answers are kept between sessions "
                  "({reset} forgets them).").format(n=len(self.rows), hours=self.minutes // 60,
                                                    minutes=self.minutes % 60,
                                                    reset="<code>npkit.course.reset_progress()</code>")
        heads = (escape(_("notebook")), escape(_("time")), escape(_("your progress")))
        return (f"<div class='npkit-home'><p style='text-align:right'><a href='{escape(link)}'>{escape(label)}</a>"
                f"</p>{about}<table><tr><th></th><th></th><th style='text-align:left'>{heads[0]}</th>"
                f"<th>{heads[1]}</th><th style='text-align:left'>{heads[2]}</th></tr>{''.join(rows)}</table></div>")


def course_home(here: str = "notebooks") -> CourseHome:
    """The course home; `here` is the folder of the notebook showing it (links are relative to it)."""
    return CourseHome(here)


class NextState:
    """What "What next" knows: this notebook, the next one, and whether this one is marked done."""

    def __init__(self, notebook: str, here: str):
        entries = notebooks()
        ids = [e.id for e in entries]
        if notebook not in ids:
            raise KeyError(_("no notebook {id!r}; choose one of {ids}").format(id=notebook, ids=listing(ids)))
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
            return _("{id} is the last part of the course. The course home is in 00-welcome.").format(id=self.entry.id)
        return _("Next: {id} · {title} (about {minutes} min): {link}").format(
            id=self.next.id, title=self.next.title, minutes=self.next.minutes, link=self.link())


class WhatNext(View[NextState]):
    """A link to the next notebook and a button that marks this one done (its tick in the course home)."""

    def __init__(self, notebook: str, here: str = "notebooks"):
        self.state = NextState(notebook, here)
        s = self.state
        if s.next is not None:
            anchor = f"<a href='{escape(s.link())}'><b>{escape(s.next.id)} · {escape(s.next.title)}</b></a>"
            target = _("Next: {notebook} (about {minutes} min)").format(notebook=anchor, minutes=s.next.minutes)
        else:
            target = escape(_("That was the last part of the course: well done."))
        home = _link(notebooks()[0], here)
        self.button = w.Button(description="", icon="check", layout=w.Layout(width="auto"))
        self.button.on_click(lambda _b: self._toggle())
        home_words = escape(_("course home"))
        home_link = f"<a href='{escape(home)}'>{home_words}</a>"
        self.widget = w.HBox([w.HTML(f"{target} · {home_link}"), self.button],
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
        notebook = self.state.entry.id
        self.button.description = (_("{id} done ✓") if done else _("Mark {id} as done")).format(id=notebook)
        self.button.button_style = "success" if done else ""


def what_next(notebook: str, here: str = "notebooks") -> WhatNext:
    """The end of a notebook: a link to the next one and a button to mark this one done."""
    return WhatNext(notebook, here)

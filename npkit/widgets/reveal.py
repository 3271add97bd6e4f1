"""What every predict-first widget shares: the attempts a learner made, and the reveal area.

A prediction is answered once for real: the first answer is the learner's "first try", shown
as "first try: ✓" or "first try: ✗" from then on. Answers given after the truth is on screen
are recorded too, marked "after the reveal", and never change the first try.

The reveal area (CSS class `npkit-reveal`) is empty until the first answer: the explanation
(Markdown) and the engine's words appear there, never in the cells around the widget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ipywidgets as w

from ..i18n import messages
from . import memory

_ = messages("npkit-ui").gettext


@dataclass
class Attempts:
    """Every answer to one prediction, in order: (correct, given after the reveal).

    With a `key` ("question/01-podselector-empty"), answers are also recorded in the learner's
    memory (`npkit.widgets.memory`, the course's progress file in a notebook), and a first try
    from an earlier session is remembered: it stays the first try.

    >>> a = Attempts()
    >>> a.record(False), a.badge()
    (False, 'first try: ✗')
    >>> a.record(True), a.badge()
    (True, 'first try: ✗ · answered again after the reveal: ✓')
    """

    key: str = ""
    results: list[tuple[bool, bool]] = field(default_factory=list)
    earlier: bool | None = None  # the first try of an earlier session, if any

    def __post_init__(self) -> None:
        if self.key:
            self.earlier = memory.current().first_try(self.key)

    @property
    def revealed(self) -> bool:
        """True once the learner has answered in this session (the truth is then on screen)."""
        return bool(self.results)

    @property
    def first_try(self) -> bool | None:
        """Whether the first answer ever was right; None before any answer."""
        if self.earlier is not None:
            return self.earlier
        return self.results[0][0] if self.results else None

    def record(self, correct: bool) -> bool:
        """Record one answer; only the very first one is the first try."""
        self.results.append((correct, self.revealed or self.earlier is not None))
        if self.key:
            memory.current().record_try(self.key, correct)
        return correct

    def badge(self, detail: str = "") -> str:
        """"first try: ✓/✗", plus the latest answer when it came after the reveal ("" before any answer).

        `detail` goes with the first try, e.g. "7 of 12 right" (the first reveal's score)."""
        first = self.first_try
        if first is None:
            return ""
        if detail:
            text = _("first try: {mark} ({detail})").format(mark=mark(first), detail=detail)
        else:
            text = _("first try: {mark}").format(mark=mark(first))
        if self.earlier is not None and not self.results:
            return _("{first_try} (answered in an earlier session)").format(first_try=text)
        if self.results and self.results[-1][1]:
            return _("{first_try} · answered again after the reveal: {mark}").format(
                first_try=text, mark=mark(self.results[-1][0]))
        return text


def mark(correct: bool) -> str:
    return "✓" if correct else "✗"


More = Callable[[], Any]  # what a reveal shows besides its words, built when the learner has answered


def bundle_output(obj: Any) -> dict[str, object]:
    """An Output-widget output for any displayable object (a View, a widget, something with _repr_html_)."""
    if hasattr(obj, "_repr_mimebundle_"):
        data = obj._repr_mimebundle_()
        data = data[0] if isinstance(data, tuple) else data
    elif hasattr(obj, "_repr_html_"):
        data = {"text/html": obj._repr_html_(), "text/plain": repr(obj)}
    else:
        data = {"text/plain": str(obj)}
    return {"output_type": "display_data", "data": data, "metadata": {}}


def display_data(mime: str, text: str) -> dict[str, object]:
    """One Output-widget output (what IPython's display would send), without IPython."""
    return {"output_type": "display_data", "data": {mime: text, "text/plain": text}, "metadata": {}}


class RevealArea:
    """An Output widget that stays empty until `show()`; holds Markdown and HTML parts."""

    def __init__(self) -> None:
        self.widget = w.Output()
        self.widget.add_class("npkit-reveal")
        self.markdown: list[str] = []
        self._shown: list[Callable[[], None]] = []  # called once the area first holds something

    def on_show(self, callback: Callable[[], None]) -> None:
        """Call `callback()` when the reveal appears (now, if it already has)."""
        if self.empty:
            self._shown.append(callback)
        else:
            callback()

    def show(self, markdown: str = "", html: str = "", more: More | None = None) -> None:
        """Replace the content: the explanation (Markdown) first, then any HTML (e.g. a verdict), then
        `more()` (built only now: e.g. the whole matrix after the change, a widget or anything with a
        `_repr_html_`)."""
        self.markdown = [markdown] if markdown else []
        parts = [display_data("text/markdown", markdown)] if markdown else []
        if html:
            parts.append(display_data("text/html", html))
        if more is not None:
            parts.append(bundle_output(more()))
        self.widget.outputs = tuple(parts)
        if parts:
            callbacks, self._shown = self._shown, []
            for callback in callbacks:
                callback()

    @property
    def empty(self) -> bool:
        return not self.widget.outputs


class AfterAnswer(w.VBox):
    """A widget that stays closed until a prediction above it has been answered.

    After Run All every cell has run, so a widget that shows the answer (a playground with the whole
    policy switched on, say) would be on screen beside the unanswered prediction; inside this box it
    waits, with a note, until the prediction's reveal appears (at once, if it already has).
    """

    def __init__(self, prediction: Any, content: w.Widget):
        note = w.HTML(_("⏳ This opens once you have answered the prediction above."))
        note.add_class("npkit-after-answer-note")
        super().__init__([note])
        self.add_class("npkit-after-answer")
        self.content = content
        prediction.reveal_area.on_show(self._open)

    def _open(self) -> None:
        self.children = (self.content,)

    @property
    def opened(self) -> bool:
        """Whether the content is on screen."""
        return self.children == (self.content,)

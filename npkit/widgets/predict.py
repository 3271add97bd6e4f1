"""Predict, then check: the learner commits to an answer before the engine reveals it.

`Predict` is a whole matrix: mark the cells you expect to be allowed, press Reveal, get a
score and an explanation for every cell you got wrong. `Question` is one connection with
two buttons. Both keep the truth out of their output until the learner has answered; the
explanation a notebook gives (`reveal=`, Markdown) appears inside the widget only then. The
first answer is the learner's "first try"; answers after the reveal are marked as such.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

import ipywidgets as w
import numpy as np

from ..engine import Engine, Verdict, protocol_name
from ..explain import render_verdict
from ..explain.html import render_verdict_html
from ..i18n import messages
from ..matrix import reachability
from ..model import Cluster
from .grid import Cell, MatrixGrid
from .playground import probe_label
from .render import ALLOWED_BG, DENIED_BG
from .reveal import Attempts, More, RevealArea
from .show import as_engine
from .view import View
from .wording import listing

_ = messages("npkit-ui").gettext
Pair = tuple[str, str]
PREDICTED_BG, UNMARKED_BG, SELF_BG = "#ddf4ff", "#ffffff", "#eaeef2"
RIGHT, WRONG = "#1a7f37", "#cf222e"


@dataclass(frozen=True)
class Score:
    """How a prediction went: cells right out of cells asked, and the wrong ones."""

    correct: int
    total: int
    wrong: tuple[tuple[str, str, bool, bool], ...]  # (src, dst, predicted, actual)

    @property
    def perfect(self) -> bool:
        return not self.wrong

    def text(self) -> str:
        if self.perfect:
            return _("{correct} of {total} right: a perfect prediction.").format(correct=self.correct,
                                                                                total=self.total)
        lines = [_("{correct} of {total} right; {wrong} wrong:").format(correct=self.correct, total=self.total,
                                                                         wrong=len(self.wrong))]
        lines += [f"  {wrong_cell(src, dst, actual)}" for src, dst, _predicted, actual in self.wrong]
        return "\n".join(lines)


def wrong_cell(src: str, dst: str, actual: bool) -> str:
    """One wrongly predicted connection: "x/a → x/b: you predicted denied, it is allowed"."""
    template = (_("{src} → {dst}: you predicted denied, it is allowed") if actual else
                _("{src} → {dst}: you predicted allowed, it is denied"))
    return template.format(src=src, dst=dst)


class PredictState:
    """A prediction of a matrix (connections between different pods; a pod always reaches itself).

    >>> from npkit.model import Cluster, Pod
    >>> s = PredictState(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))), 80)
    >>> s.toggle("x/a", "x/b")
    >>> s.reveal().text()
    '1 of 2 right; 1 wrong:\\n  x/b → x/a: you predicted denied, it is allowed'
    >>> s.badge()
    'first try: ✗ (1 of 2 right)'
    """

    def __init__(self, source: Cluster | Engine, port: int | None = 80, protocol: str = "TCP",
                 pods: Sequence[str] | None = None, dataplane: str = "calico", reveal: str = "",
                 key: str = ""):
        self.engine = as_engine(source, dataplane)
        self.port = port
        self.protocol = protocol_name(protocol)
        known = self.engine.pods
        chosen = tuple(pods) if pods else known
        unknown = [p for p in chosen if p not in known]
        if unknown:
            raise KeyError(_("no pod {pods} in the cluster (pods: {known})").format(pods=listing(unknown),
                                                                                 known=listing(known)))
        self.pods = tuple(p for p in known if p in chosen)  # matrix order
        full = reachability(self.engine, port, self.protocol)
        index = [known.index(p) for p in self.pods]
        self.truth: np.ndarray = full.allowed[np.ix_(index, index)]
        self.label = full.label
        self.reveal_markdown = reveal
        self.predicted: set[Pair] = set()
        self.revealed = False
        self.selected: Pair | None = None
        self.attempts = Attempts(f"predict/{key}" if key else "")
        self.first_score: Score | None = None

    @property
    def cells(self) -> list[Pair]:
        """The connections being predicted (every ordered pair of different pods)."""
        return [(s, d) for s in self.pods for d in self.pods if s != d]

    def toggle(self, src: str, dst: str) -> None:
        """Flip the prediction for one cell (before the reveal)."""
        if src == dst or self.revealed:
            return
        self.predicted ^= {(src, dst)}

    def predict(self, allowed: Iterable[Pair]) -> None:
        """Set the whole prediction: the pairs expected to be allowed."""
        self.predicted = {p for p in allowed if p[0] != p[1]}

    def actual(self, src: str, dst: str) -> bool:
        return bool(self.truth[self.pods.index(src), self.pods.index(dst)])

    def reveal(self) -> Score:
        """Show the truth and score the prediction (the first reveal is the first try)."""
        self.revealed = True
        score = self.score()
        if self.first_score is None:
            self.first_score = score
        self.attempts.record(score.perfect)
        return score

    def score(self) -> Score:
        wrong = tuple((s, d, (s, d) in self.predicted, self.actual(s, d)) for s, d in self.cells
                      if ((s, d) in self.predicted) != self.actual(s, d))
        return Score(len(self.cells) - len(wrong), len(self.cells), wrong)

    def reset(self) -> None:
        """Hide the truth again (the prediction is kept, to be corrected; the first try stays)."""
        self.revealed = False
        self.selected = None

    def explain(self, src: str, dst: str) -> Verdict:
        """The engine's explanation for one cell (only after the reveal)."""
        if not self.revealed:
            raise RuntimeError(_("reveal first: the explanation gives the answer away"))
        self.selected = (src, dst)
        return self.engine.verdict(src, dst, self.port, self.protocol)

    def badge(self) -> str:
        """"first try: ✓" or "first try: ✗ (7 of 12 right)", and the latest re-answer."""
        first = self.first_score
        if first is None or first.perfect or self.attempts.first_try is not False:
            return self.attempts.badge()
        return self.attempts.badge(_("{correct} of {total} right").format(correct=first.correct, total=first.total))

    def text_report(self) -> str:
        """Before the reveal: the prediction only. After: the score and each wrong cell's decision."""
        lines = [_("Predict {probe}: which connections are allowed? ({marked} of {total} marked allowed)").format(
            probe=self.label, marked=len(self.predicted), total=len(self.cells))]
        if not self.revealed:
            return "\n".join(lines)
        score = self.score()
        lines += [score.text(), self.badge()]
        for src, dst, _predicted, _actual in score.wrong:
            verdict = self.engine.verdict(src, dst, self.port, self.protocol)
            lines.append("    " + _("why {src} → {dst}: {summary}").format(src=src, dst=dst, summary=verdict.summary))
        if self.reveal_markdown:
            lines.append(self.reveal_markdown)
        return "\n".join(lines)


class Predict(View[PredictState]):
    """The predict-then-check matrix widget.

    `Predict(cluster, port=80, pods=["x/a", "x/b", "y/a"], reveal="**Why:** …")`: click cells to mark
    them allowed, then Reveal. `predict.state` is the PredictState behind it.
    """

    def __init__(self, source: Cluster | Engine, port: int | None = 80, protocol: str = "TCP",
                 pods: Sequence[str] | None = None, dataplane: str = "calico", prompt: str = "",
                 reveal: str = "", key: str = "", more: More | None = None):
        self.state = PredictState(source, port, protocol, pods, dataplane, reveal, key)
        self.more = more
        self.prompt = prompt or _("Click the cells you expect to be <b>allowed</b> on {probe} (rows: source, "
                                  "columns: destination), then press Reveal.").format(probe=escape(self.state.label))
        self.grid = MatrixGrid(self.state.pods, self._clicked)
        self.reveal_button = w.Button(description=_("Reveal"), button_style="primary", icon="eye")
        self.again_button = w.Button(description=_("Try again"), icon="undo")
        self.all_button = w.Button(description=_("Mark all"))
        self.none_button = w.Button(description=_("Clear"))
        self.result = w.HTML()
        self.result.add_class("npkit-predict-result")
        self.reveal_area = RevealArea()
        self.explanation = w.HTML()
        self.reveal_button.on_click(lambda _b: self._reveal())
        self.again_button.on_click(lambda _b: self._again())
        self.all_button.on_click(lambda _b: self._set_all(True))
        self.none_button.on_click(lambda _b: self._set_all(False))
        buttons = w.HBox([self.reveal_button, self.again_button, self.all_button, self.none_button])
        self.widget = w.VBox([w.HTML(self.prompt), self.grid.widget, buttons, self.result,
                              self.reveal_area.widget, self.explanation])
        self.widget.add_class("npkit-predict")
        self.refresh()
        if self.state.attempts.earlier is not None:
            self.result.value = earlier_note(self.state.attempts.badge())

    def _clicked(self, src: str, dst: str) -> None:
        if self.state.revealed:
            self.state.explain(src, dst)
        else:
            self.state.toggle(src, dst)
        self.refresh()

    def _reveal(self) -> None:
        self.state.reveal()
        self.refresh()

    def _again(self) -> None:
        self.state.reset()
        self.refresh()

    def _set_all(self, allowed: bool) -> None:
        if not self.state.revealed:
            self.state.predict(self.state.cells if allowed else ())
            self.refresh()

    def _look(self, src: str, dst: str) -> Cell:
        s = self.state
        if src == dst:
            tip = _("{src} to itself: always allowed (not part of the prediction)").format(src=src)
            return Cell("–", SELF_BG, tip, disabled=True)
        mine = (src, dst) in s.predicted
        if not s.revealed:
            tip = (_("{src} → {dst}: you predict allowed. Click to change.") if mine else
                   _("{src} → {dst}: you predict denied. Click to change.")).format(src=src, dst=dst)
            return Cell("✓" if mine else "", PREDICTED_BG if mine else UNMARKED_BG, tip)
        actual = s.actual(src, dst)
        right = mine == actual
        tip = _REVEALED_TIPS[actual, mine]().format(src=src, dst=dst)
        text = ("✓" if actual else "·") + ("" if right else "!")
        outline = "" if right else f"2px solid {WRONG}"
        if s.selected == (src, dst):
            outline = "2px solid #0969da"
        return Cell(text, ALLOWED_BG if actual else DENIED_BG, tip, outline)

    def refresh(self) -> None:
        s = self.state
        self.grid.paint(self._look)
        self.reveal_button.disabled = s.revealed
        self.again_button.disabled = not s.revealed
        self.all_button.disabled = self.none_button.disabled = s.revealed
        if not s.revealed:
            marked, total = len(s.predicted), len(s.cells)
            if s.attempts.revealed:
                text = _("{marked} of {total} cells marked allowed. ({first_try}; predict again, then Reveal)").format(
                    marked=marked, total=total, first_try=escape(s.badge()))
            else:
                text = _("{marked} of {total} cells marked allowed.").format(marked=marked, total=total)
            self.result.value = text
            self.explanation.value = ""
            return
        score = s.score()
        color = RIGHT if score.perfect else "#9a6700"
        items = "".join(f"<li>{_wrong_item(src, dst, a)}</li>" for src, dst, _p, a in score.wrong)
        head = (_("{correct} of {total} right. {first_try}") if score.perfect else
                _("{correct} of {total} right. Cells marked ! were wrong: click one to see why. {first_try}")).format(
                    correct=score.correct, total=score.total,
                    first_try=f'<span class="npkit-first-try">{escape(s.badge())}</span>')
        self.result.value = f'<div style="color:{color};font-weight:600">{head}</div><ul>{items}</ul>'
        if self.reveal_area.empty and (s.reveal_markdown or self.more is not None):
            self.reveal_area.show(s.reveal_markdown, more=self.more)
        if s.selected is None and score.wrong:
            s.explain(score.wrong[0][0], score.wrong[0][1])
        self.explanation.value = render_verdict_html(s.explain(*s.selected)) if s.selected else ""


# A revealed cell's tooltip, by (actual, predicted): one whole sentence each.
_REVEALED_TIPS = {
    (True, True): lambda: _("{src} → {dst}: allowed; you predicted allowed. Click for the explanation."),
    (True, False): lambda: _("{src} → {dst}: allowed; you predicted denied. Click for the explanation."),
    (False, True): lambda: _("{src} → {dst}: denied; you predicted allowed. Click for the explanation."),
    (False, False): lambda: _("{src} → {dst}: denied; you predicted denied. Click for the explanation."),
}


def _wrong_item(src: str, dst: str, actual: bool) -> str:
    """A wrong cell in the list under the score (HTML)."""
    template = (_("{src} → {dst}: you predicted denied, it is <b>allowed</b>") if actual else
                _("{src} → {dst}: you predicted allowed, it is <b>denied</b>"))
    return template.format(src=escape(src), dst=escape(dst))


def earlier_note(badge: str) -> str:
    """What a re-run widget says about an answer from an earlier session (the reveal stays closed)."""
    text = _("{first_try}. Answer again to see the explanation.").format(
        first_try=f'<span class="npkit-first-try">{escape(badge)}</span>')
    return f"<div>{text}</div>"


class QuestionState:
    """One connection to predict.

    >>> from npkit.model import Cluster, Pod
    >>> q = QuestionState(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))),
    ...                   "x/a", "x/b", 80)
    >>> q.answer(False)
    False
    >>> q.text_report().splitlines()[1]
    'You said denied. It is allowed. (first try: ✗)'
    """

    def __init__(self, source: Cluster | Engine, src: str, dst: str, port: int | None = 80,
                 protocol: str = "TCP", dataplane: str = "calico", prompt: str = "", reveal: str = "",
                 key: str = ""):
        self.engine = as_engine(source, dataplane)
        self.src, self.dst, self.port, self.protocol = src, dst, port, protocol_name(protocol)
        self._verdict = self.engine.verdict(src, dst, port, self.protocol)  # also checks the pods exist
        self.prompt = prompt or _("Can {src} open a new {probe} connection to {dst}?").format(
            src=src, dst=dst, probe=probe_label((port, self.protocol)))
        self.reveal_markdown = reveal
        self.answered: bool | None = None
        self.attempts = Attempts(f"question/{key}" if key else "")

    def answer(self, allowed: bool) -> bool:
        """Record the learner's answer; True when it is right."""
        self.answered = allowed
        return self.attempts.record(allowed == self._verdict.allowed)

    @property
    def correct(self) -> bool | None:
        return None if self.answered is None else self.answered == self._verdict.allowed

    @property
    def verdict(self) -> Verdict:
        """The engine's answer (only after the learner has answered)."""
        if self.answered is None:
            raise RuntimeError(_("answer first: the verdict gives the answer away"))
        return self._verdict

    def text_report(self) -> str:
        if self.answered is None:
            return _("{prompt}  (answer with the buttons)").format(prompt=self.prompt)
        said = _ANSWERS[self.answered, self._verdict.allowed]().format(first_try=self.attempts.badge())
        lines = [self.prompt, said]
        if self.reveal_markdown:
            lines.append(self.reveal_markdown)
        lines.append(render_verdict(self._verdict, verbose=False))
        return "\n".join(lines)


# What the learner said and what it is, by (said allowed, is allowed): one whole sentence each.
_ANSWERS = {
    (True, True): lambda: _("You said allowed. It is allowed. ({first_try})"),
    (True, False): lambda: _("You said allowed. It is denied. ({first_try})"),
    (False, True): lambda: _("You said denied. It is allowed. ({first_try})"),
    (False, False): lambda: _("You said denied. It is denied. ({first_try})"),
}
# The verdict on the learner's answer, by (right, is allowed); then the first try.
_RESULTS = {
    (True, True): lambda: _("Right: it is allowed. {first_try}"),
    (True, False): lambda: _("Right: it is denied. {first_try}"),
    (False, True): lambda: _("Not quite: it is allowed. {first_try}"),
    (False, False): lambda: _("Not quite: it is denied. {first_try}"),
}


class Question(View[QuestionState]):
    """A predict-first question about one connection: Allowed / Denied buttons, then the explanation.

    `Question(cluster, "x/b", "default/web", 80, reveal="…")`; `question.state` is the QuestionState.
    """

    def __init__(self, source: Cluster | Engine, src: str, dst: str, port: int | None = 80,
                 protocol: str = "TCP", dataplane: str = "calico", prompt: str = "", reveal: str = "",
                 key: str = "", more: More | None = None):
        self.state = QuestionState(source, src, dst, port, protocol, dataplane, prompt, reveal, key)
        self.more = more
        self.allowed_button = w.Button(description=_("Allowed"), icon="check")
        self.denied_button = w.Button(description=_("Denied"), icon="times")
        self.result = w.HTML()
        self.result.add_class("npkit-question-result")
        self.reveal_area = RevealArea()
        self.allowed_button.on_click(lambda _b: self._answer(True))
        self.denied_button.on_click(lambda _b: self._answer(False))
        self.widget = w.VBox([w.HTML(f"<b>{escape(self.state.prompt)}</b>"),
                              w.HBox([self.allowed_button, self.denied_button]), self.result,
                              self.reveal_area.widget])
        self.widget.add_class("npkit-question")
        if self.state.attempts.earlier is not None:
            self.result.value = earlier_note(self.state.attempts.badge())

    def _answer(self, allowed: bool) -> None:
        right = self.state.answer(allowed)
        color = RIGHT if right else WRONG
        first_try = f'<span class="npkit-first-try">{escape(self.state.attempts.badge())}</span>'
        said = _RESULTS[right, self.state.verdict.allowed]().format(first_try=first_try)
        self.result.value = f'<div style="color:{color};font-weight:600">{said}</div>'
        summary = escape(_("The engine's explanation"), quote=False)
        explanation = f"<details><summary>{summary}</summary>{render_verdict_html(self.state.verdict)}</details>"
        self.reveal_area.show(self.state.reveal_markdown, explanation, self.more)

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
from ..matrix import reachability
from ..model import Cluster
from .grid import Cell, MatrixGrid
from .playground import probe_label
from .render import ALLOWED_BG, DENIED_BG
from .reveal import Attempts, More, RevealArea, mark
from .show import as_engine
from .view import View

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
        head = f"{self.correct} of {self.total} right"
        if self.perfect:
            return head + ": a perfect prediction."
        lines = [head + f"; {len(self.wrong)} wrong:"]
        for src, dst, predicted, actual in self.wrong:
            lines.append(f"  {src} → {dst}: you predicted {'allowed' if predicted else 'denied'}, "
                         f"it is {'allowed' if actual else 'denied'}")
        return "\n".join(lines)


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
            raise KeyError(f"no pod {', '.join(unknown)} in the cluster (pods: {', '.join(known)})")
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
            raise RuntimeError("reveal first: the explanation gives the answer away")
        self.selected = (src, dst)
        return self.engine.verdict(src, dst, self.port, self.protocol)

    def badge(self) -> str:
        """"first try: ✓" or "first try: ✗ (7 of 12 right)", and the latest re-answer."""
        badge = self.attempts.badge()
        if self.first_score is not None and not self.first_score.perfect:
            first = f"first try: {mark(False)}"
            badge = badge.replace(first, f"{first} ({self.first_score.correct} of {self.first_score.total} right)", 1)
        return badge

    def text_report(self) -> str:
        """Before the reveal: the prediction only. After: the score and each wrong cell's decision."""
        lines = [f"Predict {self.label}: which connections are allowed? "
                 f"({len(self.predicted)} of {len(self.cells)} marked allowed)"]
        if not self.revealed:
            return "\n".join(lines)
        score = self.score()
        lines += [score.text(), self.badge()]
        for src, dst, _, _ in score.wrong:
            verdict = self.engine.verdict(src, dst, self.port, self.protocol)
            lines.append(f"    why {src} → {dst}: {verdict.summary}")
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
        self.prompt = prompt or (f"Click the cells you expect to be <b>allowed</b> on {escape(self.state.label)} "
                                 "(rows: source, columns: destination), then press Reveal.")
        self.grid = MatrixGrid(self.state.pods, self._clicked)
        self.reveal_button = w.Button(description="Reveal", button_style="primary", icon="eye")
        self.again_button = w.Button(description="Try again", icon="undo")
        self.all_button = w.Button(description="Mark all")
        self.none_button = w.Button(description="Clear")
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
            return Cell("–", SELF_BG, f"{src} to itself: always allowed (not part of the prediction)", disabled=True)
        mine = (src, dst) in s.predicted
        if not s.revealed:
            tip = f"{src} → {dst}: you predict {'allowed' if mine else 'denied'}. Click to change."
            return Cell("✓" if mine else "", PREDICTED_BG if mine else UNMARKED_BG, tip)
        actual = s.actual(src, dst)
        right = mine == actual
        tip = (f"{src} → {dst}: {'allowed' if actual else 'denied'}; you predicted "
               f"{'allowed' if mine else 'denied'}. Click for the explanation.")
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
            again = f" ({escape(s.badge())}; predict again, then Reveal)" if s.attempts.revealed else ""
            self.result.value = f"{len(s.predicted)} of {len(s.cells)} cells marked allowed.{again}"
            self.explanation.value = ""
            return
        score = s.score()
        color = RIGHT if score.perfect else "#9a6700"
        items = "".join(f"<li>{escape(src)} → {escape(dst)}: you predicted {'allowed' if p else 'denied'}, "
                        f"it is <b>{'allowed' if a else 'denied'}</b></li>" for src, dst, p, a in score.wrong)
        tail = "" if score.perfect else " Cells marked ! were wrong: click one to see why."
        self.result.value = (f'<div style="color:{color};font-weight:600">{score.correct} of {score.total} right.'
                             f'{tail} <span class="npkit-first-try">{escape(s.badge())}</span></div><ul>{items}</ul>')
        if self.reveal_area.empty and (s.reveal_markdown or self.more is not None):
            self.reveal_area.show(s.reveal_markdown, more=self.more)
        if s.selected is None and score.wrong:
            s.explain(score.wrong[0][0], score.wrong[0][1])
        self.explanation.value = render_verdict_html(s.explain(*s.selected)) if s.selected else ""


def earlier_note(badge: str) -> str:
    """What a re-run widget says about an answer from an earlier session (the reveal stays closed)."""
    return (f'<div><span class="npkit-first-try">{escape(badge)}</span>. Answer again to see the '
            "explanation.</div>")


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
        self.prompt = prompt or f"Can {src} open a new {probe_label((port, self.protocol))} connection to {dst}?"
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
            raise RuntimeError("answer first: the verdict gives the answer away")
        return self._verdict

    def text_report(self) -> str:
        if self.answered is None:
            return self.prompt + "  (answer with the buttons)"
        said = "allowed" if self.answered else "denied"
        truth = "allowed" if self._verdict.allowed else "denied"
        lines = [self.prompt, f"You said {said}. It is {truth}. ({self.attempts.badge()})"]
        if self.reveal_markdown:
            lines.append(self.reveal_markdown)
        lines.append(render_verdict(self._verdict, verbose=False))
        return "\n".join(lines)


class Question(View[QuestionState]):
    """A predict-first question about one connection: Allowed / Denied buttons, then the explanation.

    `Question(cluster, "x/b", "default/web", 80, reveal="…")`; `question.state` is the QuestionState.
    """

    def __init__(self, source: Cluster | Engine, src: str, dst: str, port: int | None = 80,
                 protocol: str = "TCP", dataplane: str = "calico", prompt: str = "", reveal: str = "",
                 key: str = "", more: More | None = None):
        self.state = QuestionState(source, src, dst, port, protocol, dataplane, prompt, reveal, key)
        self.more = more
        self.allowed_button = w.Button(description="Allowed", icon="check")
        self.denied_button = w.Button(description="Denied", icon="times")
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
        truth = "allowed" if self.state.verdict.allowed else "denied"
        color, word = (RIGHT, "Right") if right else (WRONG, "Not quite")
        self.result.value = (f'<div style="color:{color};font-weight:600">{word}: it is {truth}. '
                             f'<span class="npkit-first-try">{escape(self.state.attempts.badge())}</span></div>')
        explanation = ("<details><summary>The engine's explanation</summary>"
                       f"{render_verdict_html(self.state.verdict)}</details>")
        self.reveal_area.show(self.state.reveal_markdown, explanation, self.more)

"""A predict-first multiple-choice question, for predictions that are not one connection or a matrix.

The notebook computes the right options from the engine (never types them in), e.g. "which of
these connections does unticking this part take away?" with the options the connections and
the truth `effect.denied_now`. One option (`multiple=False`: a click answers) or several
(checkboxes, then Check). The truth and the explanation stay hidden until the first answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

import ipywidgets as w

from .predict import RIGHT, WRONG, earlier_note
from .reveal import Attempts, More, RevealArea, mark
from .view import View


class ChoiceState:
    """Options, the right ones, and the learner's answers.

    >>> c = ChoiceState("How many pods?", ["0", "1", "2"], "1")
    >>> c.answer({"2"}), c.attempts.badge()
    (False, 'first try: ✗')
    >>> c.text_report().splitlines()[1]
    'You chose: 2. Right: 1. (first try: ✗)'
    """

    def __init__(self, prompt: str, options: Sequence[str], correct: str | Iterable[str], multiple: bool = False,
                 reveal: str = "", key: str = ""):
        self.prompt = prompt
        self.options = tuple(str(o) for o in options)
        right = {correct} if isinstance(correct, str) else {str(c) for c in correct}
        unknown = right - set(self.options)
        if unknown:
            raise ValueError(f"the right answer {sorted(unknown)} is not among the options {list(self.options)}")
        if not multiple and len(right) != 1:
            raise ValueError("a single-choice question needs exactly one right option (or multiple=True)")
        if len(set(self.options)) != len(self.options):
            raise ValueError(f"options must differ: {list(self.options)}")
        self._right = frozenset(right)
        self.multiple = multiple
        self.reveal_markdown = reveal
        self.chosen: frozenset[str] | None = None
        self.attempts = Attempts(f"question/{key}" if key else "")

    def answer(self, chosen: Iterable[str]) -> bool:
        """Record an answer (a set of options; one for a single choice); True when it is right."""
        picked = frozenset(chosen)
        if not picked <= set(self.options):
            raise ValueError(f"unknown option(s) {sorted(picked - set(self.options))}")
        self.chosen = picked
        return self.attempts.record(picked == self._right)

    @property
    def right(self) -> frozenset[str]:
        """The right options (only after an answer)."""
        if self.chosen is None:
            raise RuntimeError("answer first: the right options give the answer away")
        return self._right

    def _listed(self, options: Iterable[str]) -> str:
        ordered = [o for o in self.options if o in set(options)]
        return ", ".join(ordered) if ordered else "none of them"

    def text_report(self) -> str:
        if self.chosen is None:
            return "\n".join([self.prompt, *(f"  [ ] {o}" for o in self.options)])
        return "\n".join([self.prompt, f"You chose: {self._listed(self.chosen)}. Right: {self._listed(self._right)}. "
                          f"({self.attempts.badge()})", *([self.reveal_markdown] if self.reveal_markdown else [])])


class Choice(View[ChoiceState]):
    """`Choice("Which pods …?", options, correct, multiple=True, reveal="…")`; `choice.state` is the ChoiceState."""

    def __init__(self, prompt: str, options: Sequence[str], correct: str | Iterable[str], multiple: bool = False,
                 reveal: str = "", key: str = "", more: More | None = None):
        self.state = ChoiceState(prompt, options, correct, multiple, reveal, key)
        self.more = more
        self.result = w.HTML()
        self.result.add_class("npkit-choice-result")
        self.reveal_area = RevealArea()
        self.buttons: dict[str, w.Button] = {}
        self.boxes: dict[str, w.Checkbox] = {}
        if multiple:
            self.boxes = {o: w.Checkbox(description=o, value=False, indent=False,
                                        layout=w.Layout(width="auto")) for o in self.state.options}
            self.check_button = w.Button(description="Check", button_style="primary", icon="check")
            self.check_button.on_click(lambda _b: self._answer({o for o, b in self.boxes.items() if b.value}))
            controls: w.Widget = w.VBox([*self.boxes.values(), self.check_button])
        else:
            self.buttons = {o: w.Button(description=o, layout=w.Layout(width="auto")) for o in self.state.options}
            for option, button in self.buttons.items():
                button.on_click(lambda _b, o=option: self._answer({o}))
            controls = w.HBox(list(self.buttons.values()), layout=w.Layout(flex_flow="row wrap"))
        hint = " (tick every one that applies, then Check)" if multiple else ""
        self.widget = w.VBox([w.HTML(f"<b>{escape(prompt)}</b>{hint}"), controls, self.result,
                              self.reveal_area.widget])
        self.widget.add_class("npkit-choice")
        if self.state.attempts.earlier is not None:
            self.result.value = earlier_note(self.state.attempts.badge())

    def _answer(self, chosen: set[str]) -> None:
        s = self.state
        right = s.answer(chosen)
        color, word = (RIGHT, "Right") if right else (WRONG, "Not quite")
        items = "".join(
            f"<li>{mark(o in s.right)} {escape(o)}{' (your choice)' if o in chosen else ''}</li>" for o in s.options)
        self.result.value = (f'<div style="color:{color};font-weight:600">{word}. '
                             f'<span class="npkit-first-try">{escape(s.attempts.badge())}</span></div>'
                             f'<ul style="list-style:none;padding-left:8px">{items}</ul>')
        self.reveal_area.show(s.reveal_markdown, more=self.more)

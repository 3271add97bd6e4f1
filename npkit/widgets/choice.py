"""A predict-first multiple-choice question, for predictions that are not one connection or a matrix.

The notebook computes the right options from the engine (never types them in), e.g. "which of
these connections does unticking this part take away?" with the options the connections and
the truth `effect.denied_now`. One option (`multiple=False`: a click answers) or several
(checkboxes, then Check). The truth and the explanation stay hidden until the first answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape

import ipywidgets as w

from ..i18n import messages
from .predict import RIGHT, WRONG, earlier_note
from .reveal import Attempts, More, RevealArea, mark
from .view import View
from .wording import listing

_ = messages("npkit-ui").gettext


class ChoiceState:
    """Options, the right ones, and the learner's answers. `labels` shows an option in other words
    (a translation) than the one it is known by (`answer`, `right` and `correct` use the options).

    >>> c = ChoiceState("How many pods?", ["0", "1", "2"], "1")
    >>> c.answer({"2"}), c.attempts.badge()
    (False, 'first try: ✗')
    >>> c.text_report().splitlines()[1]
    'You chose: 2. Right: 1. (first try: ✗)'
    """

    def __init__(self, prompt: str, options: Sequence[str], correct: str | Iterable[str], multiple: bool = False,
                 reveal: str = "", key: str = "", labels: Mapping[str, str] | None = None):
        self.prompt = prompt
        self.options = tuple(str(o) for o in options)
        self.labels = {o: str((labels or {}).get(o, o)) for o in self.options}
        right = {correct} if isinstance(correct, str) else {str(c) for c in correct}
        unknown = right - set(self.options)
        if unknown:
            raise ValueError(_("the right answer {answer} is not among the options {options}").format(
                answer=sorted(unknown), options=list(self.options)))
        if not multiple and len(right) != 1:
            raise ValueError(_("a single-choice question needs exactly one right option (or multiple=True)"))
        if len(set(self.options)) != len(self.options):
            raise ValueError(_("options must differ: {options}").format(options=list(self.options)))
        self._right = frozenset(right)
        self.multiple = multiple
        self.reveal_markdown = reveal
        self.chosen: frozenset[str] | None = None
        self.attempts = Attempts(f"question/{key}" if key else "")

    def answer(self, chosen: Iterable[str]) -> bool:
        """Record an answer (a set of options; one for a single choice); True when it is right."""
        picked = frozenset(chosen)
        if not picked <= set(self.options):
            raise ValueError(_("unknown option(s) {options}").format(options=sorted(picked - set(self.options))))
        self.chosen = picked
        return self.attempts.record(picked == self._right)

    @property
    def right(self) -> frozenset[str]:
        """The right options (only after an answer)."""
        if self.chosen is None:
            raise RuntimeError(_("answer first: the right options give the answer away"))
        return self._right

    def _listed(self, options: Iterable[str]) -> str:
        ordered = [self.labels[o] for o in self.options if o in set(options)]
        return listing(ordered) if ordered else _("none of them")

    def text_report(self) -> str:
        if self.chosen is None:
            return "\n".join([self.prompt, *(f"  [ ] {self.labels[o]}" for o in self.options)])
        said = _("You chose: {chosen}. Right: {right}. ({first_try})").format(
            chosen=self._listed(self.chosen), right=self._listed(self._right), first_try=self.attempts.badge())
        return "\n".join([self.prompt, said, *([self.reveal_markdown] if self.reveal_markdown else [])])


class Choice(View[ChoiceState]):
    """`Choice("Which pods …?", options, correct, multiple=True, reveal="…")`; `choice.state` is the ChoiceState.
    `labels` (option → what its button says) shows options in other words, e.g. translated."""

    def __init__(self, prompt: str, options: Sequence[str], correct: str | Iterable[str], multiple: bool = False,
                 reveal: str = "", key: str = "", more: More | None = None, labels: Mapping[str, str] | None = None):
        self.state = ChoiceState(prompt, options, correct, multiple, reveal, key, labels)
        shown = self.state.labels
        self.more = more
        self.result = w.HTML()
        self.result.add_class("npkit-choice-result")
        self.reveal_area = RevealArea()
        self.buttons: dict[str, w.Button] = {}
        self.boxes: dict[str, w.Checkbox] = {}
        if multiple:
            self.boxes = {o: w.Checkbox(description=shown[o], value=False, indent=False,
                                        layout=w.Layout(width="auto")) for o in self.state.options}
            self.check_button = w.Button(description=_("Check"), button_style="primary", icon="check")
            self.check_button.on_click(lambda _b: self._answer({o for o, b in self.boxes.items() if b.value}))
            controls: w.Widget = w.VBox([*self.boxes.values(), self.check_button])
        else:
            self.buttons = {o: w.Button(description=shown[o], layout=w.Layout(width="auto"))
                            for o in self.state.options}
            for option, button in self.buttons.items():
                button.on_click(lambda _b, o=option: self._answer({o}))
            controls = w.HBox(list(self.buttons.values()), layout=w.Layout(flex_flow="row wrap"))
        head = f"<b>{escape(prompt)}</b>"
        if multiple:
            head = _("{prompt} (tick every one that applies, then Check)").format(prompt=head)
        self.widget = w.VBox([w.HTML(head), controls, self.result, self.reveal_area.widget])
        self.widget.add_class("npkit-choice")
        if self.state.attempts.earlier is not None:
            self.result.value = earlier_note(self.state.attempts.badge())

    def _answer(self, chosen: set[str]) -> None:
        s = self.state
        right = s.answer(chosen)
        color, said = (RIGHT, _("Right. {first_try}")) if right else (WRONG, _("Not quite. {first_try}"))
        items = "".join(f"<li>{mark(o in s.right)} {self._option(o, o in chosen)}</li>" for o in s.options)
        first_try = f'<span class="npkit-first-try">{escape(s.attempts.badge())}</span>'
        self.result.value = (f'<div style="color:{color};font-weight:600">{said.format(first_try=first_try)}</div>'
                             f'<ul style="list-style:none;padding-left:8px">{items}</ul>')
        self.reveal_area.show(s.reveal_markdown, more=self.more)

    def _option(self, option: str, chosen: bool) -> str:
        """An option in the list under the result (HTML), marked when the learner chose it."""
        label = escape(self.state.labels[option])
        return _("{option} (your choice)").format(option=label) if chosen else label

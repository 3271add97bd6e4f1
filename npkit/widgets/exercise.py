"""The exercise widget: task, editor, Check, hints one at a time, the solution only on request.

Grading is the exercise's own `check(text)` (npkit.course.exercises), which compares
verdicts, never text; its feedback names the cause first. This module keeps track of what
the learner has asked for, and remembers their last answer and tries in the learner's
memory (`npkit.widgets.memory`: the course's progress file inside a notebook).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Protocol

import ipywidgets as w

from ..engine import Verdict
from ..explain.html import render_verdict_html
from ..i18n import messages
from ..model import Diagnostic
from . import memory
from .css import style
from .frontend import CodeEditor
from .reveal import display_data
from .view import View
from .wording import listing

_ = messages("npkit-ui").gettext
SOLUTION_CONFIRM = messages("npkit-ui").lazy_gettext("Really show it?")  # the solution button, once clicked


class GradeLike(Protocol):
    """What the widget reads of a grade (npkit.course.feedback.Grade provides it)."""

    @property
    def passed(self) -> bool: ...

    @property
    def errors(self) -> Sequence[Diagnostic]: ...

    @property
    def verdict(self) -> Verdict | None: ...

    def text(self) -> str: ...

    def _repr_html_(self) -> str: ...


class Gradable(Protocol):
    """What the widget needs from an exercise (npkit.course.exercises.Exercise provides it)."""

    @property
    def id(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def task_markdown(self) -> str: ...

    @property
    def starter_yaml(self) -> str: ...

    @property
    def hints(self) -> tuple[str, ...]: ...

    @property
    def kind(self) -> str: ...

    @property
    def missing(self) -> tuple[str, ...]: ...

    def check(self, text: str) -> GradeLike: ...

    def solution(self) -> str: ...


@dataclass
class ExerciseSession:
    """What has happened so far: attempts, hints shown, whether the solution was asked for."""

    exercise: Gradable
    attempts: int = 0
    hints_shown: int = 0
    solution_shown: bool = False
    grade: GradeLike | None = None
    history: list[bool] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"exercise/{self.exercise.id}"

    def check(self, text: str) -> GradeLike:
        """Grade `text`, and remember it and the try in the learner's memory."""
        self.attempts += 1
        self.grade = self.exercise.check(text)
        self.history.append(self.grade.passed)
        store = memory.current()
        store.save_answer(self.key, text)
        store.record_try(self.key, self.grade.passed)
        return self.grade

    def next_hint(self) -> str | None:
        """Reveal one more of the exercise's hints (None when all are shown)."""
        if self.hints_shown >= len(self.exercise.hints):
            return None
        self.hints_shown += 1
        return self.exercise.hints[self.hints_shown - 1]

    def text_report(self) -> str:
        ex = self.exercise
        lines = [_("Exercise {id}: {title}").format(id=ex.id, title=ex.title), ex.task_markdown]
        if self.grade is not None:
            lines.append(self.grade.text())
        lines += [_("Hint {n}: {hint}").format(n=i + 1, hint=h) for i, h in enumerate(ex.hints[: self.hints_shown])]
        if self.solution_shown:
            lines += [_("Solution:"), ex.solution()]
        return "\n".join(lines)


def markdown_output(text: str) -> dict[str, object]:
    """A display_data output with Markdown (JupyterLab renders it like a Markdown cell)."""
    return display_data("text/markdown", text)


class ExerciseView(View[ExerciseSession]):
    """Shown by `Exercise.get(id).show()`. `view.session` holds the state; `view.editor` the text."""

    def __init__(self, exercise: Gradable):
        self.session = self.state = ExerciseSession(exercise)
        self.exercise = exercise
        task = w.Output()
        task.outputs = (markdown_output(exercise.task_markdown),)
        saved = memory.current().answer(self.session.key)
        start = saved if saved is not None else exercise.starter_yaml
        rows = max(12, min(30, max(start.count("\n"), exercise.starter_yaml.count("\n")) + 2))
        placeholder = (_("Write a label selector here (YAML)") if exercise.kind == "selector" else
                       _("Write your policies here (YAML)"))
        self.editor = CodeEditor(value=start, rows=rows, label=_("exercise {id}").format(id=exercise.id),
                                 placeholder=placeholder)
        self.editor.add_class("npkit-exercise-editor")
        self.check_button = w.Button(description=_("Check"), button_style="primary", icon="check")
        self.hint_button = w.Button(description=_("Hint"), icon="lightbulb-o", disabled=not exercise.hints)
        self.reset_button = w.Button(description=_("Reset to starter"), icon="undo")
        self.solution_button = w.Button(description=_("Show solution"), icon="eye")
        self.confirming = False  # the solution button asked "Really show it?"
        self.feedback = w.HTML()
        self.feedback.add_class("npkit-exercise-feedback")
        if saved is not None and saved != exercise.starter_yaml:
            self.feedback.value = _("<i>Restored your last answer; <b>Reset to starter</b> to start over.</i>")
        self.hints = w.Output()  # hints are Markdown, rendered by JupyterLab like a Markdown cell
        self.hints.add_class("npkit-exercise-hints")
        self.solution = w.HTML()
        self.check_button.on_click(lambda _b: self._check())
        self.hint_button.on_click(lambda _b: self._hint())
        self.reset_button.on_click(lambda _b: self._reset())
        self.solution_button.on_click(lambda _b: self._solution())
        title = _("Exercise {id}: {title}").format(id=exercise.id, title=exercise.title)
        header = w.HTML(f"<h3 style='margin:4px 0'>{escape(title)}</h3>")
        parts: list[w.Widget] = [style(), header, task]
        if exercise.missing:
            lacking = _("This exercise needs npkit support for {missing}, which this installation lacks; the Check "
                        "button will report what cannot be read.").format(missing=listing(exercise.missing))
            parts.append(w.HTML(f'<div style="color:#9a6700">{escape(lacking)}</div>'))
        buttons = w.HBox([self.check_button, self.hint_button, self.reset_button, self.solution_button])
        parts += [self.editor, buttons, self.feedback, self.hints, self.solution]
        self.widget = w.VBox(parts, layout=w.Layout(width="100%"))
        self.widget.add_class("npkit-exercise")

    def _check(self) -> None:
        try:
            grade = self.session.check(self.editor.value)
        except Exception as e:  # noqa: BLE001 - a widget shows problems, never a traceback
            problem = _("internal error while checking: {problem}").format(problem=f"{type(e).__name__}: {e}")
            self.feedback.value = f"<pre>{escape(problem)}</pre>"
            return
        self.editor.show(grade.errors)
        html = grade._repr_html_()
        if grade.verdict is not None:
            summary = escape(_("The engine's whole explanation of that connection"), quote=False)
            html += f"<details><summary>{summary}</summary>{render_verdict_html(grade.verdict)}</details>"
        self.feedback.value = html

    def _hint(self) -> None:
        hint = self.session.next_hint()
        if hint is not None:
            text = _("💡 **Hint {n}:** {hint}").format(n=self.session.hints_shown, hint=hint)
            shown = (*self.hints.outputs, markdown_output(text))
            self.hints.outputs = shown
        self.hint_button.disabled = self.session.hints_shown >= len(self.exercise.hints)

    def _reset(self) -> None:
        self.editor.value = self.exercise.starter_yaml

    def _solution(self) -> None:
        # Two clicks: the first asks, so a stray click does not spoil the exercise.
        if not self.confirming:
            self.confirming = True
            self.solution_button.description = str(SOLUTION_CONFIRM)
            self.solution_button.button_style = "warning"
            return
        self.session.solution_shown = True
        self.solution_button.disabled = True
        self.solution.value = (_("<b>Reference solution</b> (any answer that does the same passes):")
                               + f"<pre>{escape(self.exercise.solution())}</pre>")

    def text_report(self) -> str:
        return self.session.text_report()

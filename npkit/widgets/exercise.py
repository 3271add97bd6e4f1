"""The exercise widget: task, editor, Check, hints one at a time, the solution only on request.

Grading is the exercise's own `check(text)` (npkit.course.exercises), which compares
verdicts, never text. This module only keeps track of what the learner has asked for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Protocol

import ipywidgets as w
from IPython.display import Markdown

from ..explain.html import render_verdict_html
from .css import style
from .view import View


class Gradable(Protocol):
    """What the widget needs from an exercise (npkit.course.exercises.Exercise provides it)."""

    id: str
    title: str
    task_markdown: str
    starter_yaml: str
    hints: tuple[str, ...]

    @property
    def missing(self) -> tuple[str, ...]: ...

    def check(self, text: str): ...

    def solution(self) -> str: ...


@dataclass
class ExerciseSession:
    """What has happened so far: attempts, hints shown, whether the solution was asked for."""

    exercise: Gradable
    attempts: int = 0
    hints_shown: int = 0
    solution_shown: bool = False
    grade: object | None = None
    history: list[bool] = field(default_factory=list)

    def check(self, text: str):
        self.attempts += 1
        self.grade = self.exercise.check(text)
        self.history.append(bool(getattr(self.grade, "passed", False)))
        return self.grade

    def next_hint(self) -> str | None:
        """Reveal one more of the exercise's hints (None when all are shown)."""
        if self.hints_shown >= len(self.exercise.hints):
            return None
        self.hints_shown += 1
        return self.exercise.hints[self.hints_shown - 1]

    def text_report(self) -> str:
        ex = self.exercise
        lines = [f"Exercise {ex.id}: {ex.title}", ex.task_markdown]
        if self.grade is not None:
            lines.append(self.grade.text())  # type: ignore[attr-defined]
        lines += [f"Hint {i + 1}: {h}" for i, h in enumerate(ex.hints[: self.hints_shown])]
        if self.solution_shown:
            lines += ["Solution:", ex.solution()]
        return "\n".join(lines)


class ExerciseView(View):
    """Shown by `Exercise.get(id).show()`. `view.session` holds the state; `view.editor` the text."""

    def __init__(self, exercise: Gradable):
        self.session = ExerciseSession(exercise)
        self.exercise = exercise
        task = w.Output()
        task.append_display_data(Markdown(exercise.task_markdown))
        rows = max(12, min(30, exercise.starter_yaml.count("\n") + 2))
        self.editor = w.Textarea(value=exercise.starter_yaml, rows=rows,
                                 layout=w.Layout(width="100%"))
        self.editor.add_class("npkit-exercise-editor")
        self.check_button = w.Button(description="Check", button_style="primary", icon="check")
        self.hint_button = w.Button(description="Hint", icon="lightbulb-o",
                                    disabled=not exercise.hints)
        self.reset_button = w.Button(description="Reset to starter", icon="undo")
        self.solution_button = w.Button(description="Show solution", icon="eye")
        self.feedback = w.HTML()
        self.feedback.add_class("npkit-exercise-feedback")
        self.hints = w.HTML()
        self.solution = w.HTML()
        self.check_button.on_click(lambda _b: self._check())
        self.hint_button.on_click(lambda _b: self._hint())
        self.reset_button.on_click(lambda _b: self._reset())
        self.solution_button.on_click(lambda _b: self._solution())
        header = w.HTML(f"<h3 style='margin:4px 0'>Exercise {escape(exercise.id)}: {escape(exercise.title)}</h3>")
        parts: list[w.Widget] = [style(), header, task]
        if exercise.missing:
            parts.append(w.HTML(
                '<div style="color:#9a6700">This exercise needs npkit support for '
                f"{escape(', '.join(exercise.missing))}, which this installation lacks; "
                "the Check button will report what cannot be read.</div>"))
        parts += [self.editor, w.HBox([self.check_button, self.hint_button, self.reset_button,
                                       self.solution_button]),
                  self.feedback, self.hints, self.solution]
        self.widget = w.VBox(parts, layout=w.Layout(width="100%"))
        self.widget.add_class("npkit-exercise")

    def _check(self) -> None:
        try:
            grade = self.session.check(self.editor.value)
        except Exception as e:  # noqa: BLE001 - a widget shows problems, never a traceback
            problem = f"{type(e).__name__}: {e}"
            self.feedback.value = f"<pre>internal error while checking: {escape(problem)}</pre>"
            return
        html = grade._repr_html_()
        verdict = getattr(grade, "verdict", None)
        if verdict is not None:
            html += ("<details><summary>Why your policies give that answer (first difference)</summary>"
                     f"{render_verdict_html(verdict)}</details>")
        self.feedback.value = html

    def _hint(self) -> None:
        self.session.next_hint()
        shown = self.exercise.hints[: self.session.hints_shown]
        self.hints.value = "".join(f"<div>💡 <b>Hint {i + 1}:</b> {escape(h)}</div>" for i, h in enumerate(shown))
        self.hint_button.disabled = self.session.hints_shown >= len(self.exercise.hints)

    def _reset(self) -> None:
        self.editor.value = self.exercise.starter_yaml

    def _solution(self) -> None:
        # Two clicks: the first asks, so a stray click does not spoil the exercise.
        if self.solution_button.description != "Really show it?":
            self.solution_button.description = "Really show it?"
            self.solution_button.button_style = "warning"
            return
        self.session.solution_shown = True
        self.solution_button.disabled = True
        self.solution.value = ("<b>Reference solution</b> (any policies with the same verdicts pass):"
                               f"<pre>{escape(self.exercise.solution())}</pre>")

    def text_report(self) -> str:
        return self.session.text_report()

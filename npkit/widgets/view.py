"""What every interactive widget shares: an ipywidgets view, and a stable text form.

The learner sees `widget` (inside a frame whose guard says "run this cell to continue" once
the kernel is gone); notebooks under test, consoles and `repr()` see the state's
`text_report()`, which does not change with widget ids or layout.
"""

from __future__ import annotations

from typing import Any, Generic, Protocol, TypeVar

import ipywidgets as w

from .frontend import frame


class Reports(Protocol):
    """A widget's state: it can say what it shows as stable text."""

    def text_report(self) -> str: ...


StateT = TypeVar("StateT", bound=Reports)


class View(Generic[StateT]):
    """Base for widgets made of a plain-Python state (with `text_report()`) and an ipywidgets `widget`."""

    widget: w.Widget
    state: StateT
    _frame: w.VBox | None = None

    def text_report(self) -> str:
        return self.state.text_report()

    def __repr__(self) -> str:
        return self.text_report()

    @property
    def framed(self) -> w.VBox:
        """What a cell displays: the widget behind a guard for when its kernel is gone."""
        if self._frame is None:
            self._frame = frame(self.widget)
        return self._frame

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = self.framed._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = self.text_report()
        return bundle

"""Showing progress of long lab work: a bar in notebooks, a rewritten line in terminals."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from .backend import Progress


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a widget bar can be shown)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and "IPKernelApp" in getattr(shell, "config", {})


def display(obj: object) -> None:
    """IPython's `display`, for a notebook's output."""
    from IPython.display import display as ipython_display

    ipython_display(obj)


class TerminalProgress:
    """`[ 3/9] message` on one line of stderr, rewritten in place on a terminal, a line per step
    otherwise (logs, CI)."""

    def __init__(self, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.tty = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._open = False

    def __call__(self, done: int, total: int, message: str) -> None:
        width = len(str(total))
        line = f"[{done:>{width}}/{total}] {message}" if total else message
        if self.tty:
            self.stream.write("\r\033[K" + line[:200])
            self._open = True
            if total and done >= total:
                self.close()
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def close(self) -> None:
        if self._open:
            self.stream.write("\n")
            self.stream.flush()
            self._open = False


class WidgetProgress:
    """An ipywidgets bar with a label; the bar is created on first use."""

    def __init__(self) -> None:
        self._bar: Any = None
        self._label: Any = None

    def __call__(self, done: int, total: int, message: str) -> None:
        import ipywidgets as widgets

        # A new operation (its count restarts or its total changes) gets a new bar.
        if self._bar is None or done < self._bar.value or max(total, 1) != self._bar.max:
            self._bar = widgets.IntProgress(min=0, max=max(total, 1))
            self._label = widgets.Label()
            display(widgets.HBox([self._bar, self._label]))
        self._bar.max = max(total, 1)
        self._bar.value = min(done, self._bar.max)
        self._label.value = f"{done}/{total} {message}"

    def close(self) -> None:
        self._bar = None


def default_progress() -> Progress:
    """A widget bar in notebooks (when ipywidgets is installed), else a terminal line."""
    if in_notebook():
        try:
            import ipywidgets  # noqa: F401
        except ImportError:
            return TerminalProgress(sys.stdout)
        return WidgetProgress()
    return TerminalProgress()

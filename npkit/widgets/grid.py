"""A clickable matrix: one cell per (source, destination), grouped by namespace.

The grid draws what it is told (a `Cell` per pair) in one browser widget (`MatrixWidget`):
sticky labels, namespace headers that abbreviate instead of clipping, namespaces that fold
away above FOLD_FROM pods, theme colours. The widgets that use it decide what a cell means
and what a click does. `grid.buttons[src, dst]` is a handle with the cell's `description`,
`tooltip`, `disabled` and `click()`, for tests and notebooks that check themselves.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .frontend import MatrixWidget
from .render import ALLOWED_BG, DENIED_BG, FLIP_COLOR

FOLD_FROM = 13  # namespaces fold (click their header) when a matrix has more pods than ~12
TONES = ("allowed", "denied", "stale", "predicted", "unmarked", "self", "mixed")
# Colours older callers pass, read as tones so the theme decides the real colour.
_TONE_OF_COLOR = {ALLOWED_BG: "allowed", DENIED_BG: "denied", "#eaeef2": "self", "#ddf4ff": "predicted",
                  "#ffffff": "unmarked"}


@dataclass(frozen=True)
class Cell:
    """How one cell looks: its text, tone (see TONES), tooltip and marks.

    `flags`: `*` changed with the last edit, `!` a wrong prediction, `@` selected. `color` and
    `outline` are the older spelling of tone and flags, still understood.
    """

    text: str
    color: str = ""
    tooltip: str = ""
    outline: str = ""
    disabled: bool = False
    tone: str = ""
    flags: str = ""

    def encoded(self) -> list[str]:
        """`[text, tone, tooltip, flags]`, what the browser draws."""
        tone = self.tone or _TONE_OF_COLOR.get(self.color.lower(), "self" if self.disabled else "unmarked")
        flags = self.flags
        if self.outline:
            flags += "*" if FLIP_COLOR in self.outline else "@" if "#0969da" in self.outline else "!"
        if self.disabled:
            flags += "x"
        return [self.text, tone, self.tooltip, flags]


class CellHandle:
    """One cell of a grid, as tests and checked notebook cells see it."""

    def __init__(self, grid: MatrixGrid, src: str, dst: str):
        self.grid, self.src, self.dst = grid, src, dst

    def _cell(self) -> list[str]:
        i, j = self.grid.pods.index(self.src), self.grid.pods.index(self.dst)
        cell: list[str] = self.grid.widget.cells[i][j]
        return cell

    @property
    def description(self) -> str:
        return self._cell()[0]

    @property
    def tooltip(self) -> str:
        return self._cell()[2]

    @property
    def tone(self) -> str:
        return self._cell()[1]

    @property
    def disabled(self) -> bool:
        return "x" in self._cell()[3]

    def click(self) -> None:
        """What a click in the browser does."""
        if not self.disabled:
            self.grid.widget.receive({"type": "cell", "src": self.src, "dst": self.dst})


class MatrixGrid:
    """Cells for every pod pair; `on_click(src, dst)` is called when one is clicked."""

    def __init__(self, pods: tuple[str, ...], on_click: Callable[[str, str], None], caption: str = ""):
        self.on_click = on_click
        self.widget = MatrixWidget(caption=caption)
        self.widget.handle("cell", lambda m: self.on_click(str(m["src"]), str(m["dst"])))
        self.pods: tuple[str, ...] = ()
        self.buttons: dict[tuple[str, str], CellHandle] = {}
        self.set_pods(pods)

    def set_pods(self, pods: tuple[str, ...]) -> None:
        """Take a new set of pods (their cells are painted by the next `paint`)."""
        if pods == self.pods:
            return
        self.pods = pods
        self.buttons = {(s, d): CellHandle(self, s, d) for s in pods for d in pods}
        blank = [[["", "unmarked", "", ""] for _ in pods] for _ in pods]
        self.widget.update(pods=list(pods), cells=blank, foldable=len(pods) >= FOLD_FROM)

    def paint(self, look: Callable[[str, str], Cell], **extra: Any) -> None:
        """Set every cell from `look(src, dst)`, and any other MatrixWidget traits, in one message."""
        cells = [[look(s, d).encoded() for d in self.pods] for s in self.pods]
        self.widget.update(cells=cells, **extra)

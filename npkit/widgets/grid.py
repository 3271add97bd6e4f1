"""A clickable matrix: one small button per (source, destination), grouped by namespace.

ipywidgets cannot report a click on an HTML table cell, so the interactive matrix is a
GridBox of Buttons. The grid only draws what it is told (`Cell` looks); the widgets that
use it decide what a cell means.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import ipywidgets as w

from .render import namespace_groups

CELL = "26px"


def _at(row: int, column: int, rows: int = 1, columns: int = 1) -> str:
    """A CSS grid-area. (ipywidgets clears grid-row / grid-column when it applies a null
    grid_area, the shorthand it styles last, so placement must go through grid_area.)"""
    return f"{row} / {column} / span {rows} / span {columns}"


@dataclass(frozen=True)
class Cell:
    """How one button looks."""

    text: str
    color: str
    tooltip: str
    outline: str = ""  # a CSS border, e.g. "2px solid #bf8700"
    disabled: bool = False


class MatrixGrid:
    """Buttons for every pod pair; `on_click(src, dst)` is called when one is pressed."""

    def __init__(self, pods: tuple[str, ...], on_click: Callable[[str, str], None]):
        self.on_click = on_click
        self.widget = w.GridBox(layout=w.Layout(grid_gap="1px", overflow="auto", max_width="100%"))
        self.widget.add_class("npkit-grid")
        self.pods: tuple[str, ...] = ()
        self.buttons: dict[tuple[str, str], w.Button] = {}
        self.set_pods(pods)

    def set_pods(self, pods: tuple[str, ...]) -> None:
        """(Re)build the buttons when the pods change."""
        if pods == self.pods:
            return
        self.pods = pods
        n = len(pods)
        corner = w.HTML("<b>from \\ to</b>", layout=w.Layout(grid_area=_at(1, 1, rows=2)))
        children: list[w.Widget] = [corner]
        column = 2
        starts = set()  # first pod of each namespace: a small gap before it
        for ns, members in namespace_groups(pods):
            starts.add(members[0])
            children.append(w.HTML(
                f'<div title="namespace {ns}" style="font-size:11px;font-weight:600;overflow:hidden;'
                f'text-overflow:ellipsis;white-space:nowrap;text-align:center">{ns}</div>',
                layout=w.Layout(grid_area=_at(1, column, columns=len(members)), overflow="hidden",
                                border_bottom="1px solid #d0d7de", margin="0 0 0 4px")))
            column += len(members)
        for j, dst in enumerate(pods):
            name = dst.split("/", 1)[1]
            children.append(w.HTML(
                f'<div title="{dst}" style="font-size:11px;writing-mode:vertical-rl;transform:rotate(180deg);'
                f'white-space:nowrap;margin:auto">{name}</div>',
                layout=w.Layout(grid_area=_at(2, j + 2), justify_content="center",
                                margin="0 0 0 4px" if j in starts else "0")))
        self.buttons = {}
        for i, src in enumerate(pods):
            top = "4px" if i in starts else "0"
            children.append(w.HTML(f'<span style="font-size:12px;white-space:nowrap">{src}</span>',
                                   layout=w.Layout(grid_area=_at(i + 3, 1), margin=f"{top} 4px 0 0")))
            for j, dst in enumerate(pods):
                left = "4px" if j in starts else "0"
                button = w.Button(layout=w.Layout(width=CELL, height="22px", padding="0",
                                                  margin=f"{top} 0 0 {left}", grid_area=_at(i + 3, j + 2)))
                button.on_click(lambda _b, s=src, d=dst: self.on_click(s, d))
                self.buttons[src, dst] = button
                children.append(button)
        self.widget.layout.grid_template_columns = "max-content " + " ".join(
            f"calc({CELL} + 4px)" if j in starts else CELL for j in range(n))
        self.widget.children = children

    def paint(self, look: Callable[[str, str], Cell]) -> None:
        """Set every button from `look(src, dst)` (unchanged values send nothing to the browser)."""
        for (src, dst), button in self.buttons.items():
            cell = look(src, dst)
            button.description = cell.text
            button.style.button_color = cell.color
            button.tooltip = cell.tooltip
            button.layout.border = cell.outline or None
            button.disabled = cell.disabled

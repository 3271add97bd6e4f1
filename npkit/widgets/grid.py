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
        corner = w.HTML("<b>from \\ to</b>", layout=w.Layout(grid_row="1 / span 2", grid_column="1"))
        children: list[w.Widget] = [corner]
        column = 2
        for ns, members in namespace_groups(pods):
            children.append(w.HTML(f"<b>{ns}</b>", layout=w.Layout(
                grid_row="1", grid_column=f"{column} / span {len(members)}", justify_content="center",
                border_bottom="1px solid #d0d7de")))
            column += len(members)
        for j, dst in enumerate(pods):
            children.append(w.HTML(f'<span style="font-size:11px" title="{dst}">{dst.split("/", 1)[1]}</span>',
                                   layout=w.Layout(grid_row="2", grid_column=str(j + 2), overflow="hidden")))
        self.buttons = {}
        for i, src in enumerate(pods):
            children.append(w.HTML(f'<span style="font-size:12px;white-space:nowrap">{src}</span>',
                                   layout=w.Layout(grid_row=str(i + 3), grid_column="1")))
            for j, dst in enumerate(pods):
                button = w.Button(layout=w.Layout(width=CELL, height="22px", padding="0", margin="0",
                                                  grid_row=str(i + 3), grid_column=str(j + 2)))
                button.on_click(lambda _b, s=src, d=dst: self.on_click(s, d))
                self.buttons[src, dst] = button
                children.append(button)
        self.widget.layout.grid_template_columns = f"max-content repeat({n}, {CELL})"
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

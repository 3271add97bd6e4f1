"""A matrix as a terminal table: rows are sources, columns destinations, grouped by namespace.

The text is stable (no colours, no widths that depend on the terminal), so notebooks under
test can compare it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import groupby

import numpy as np

from ..i18n import N_, ljust, messages, width
from .matrix import Matrix

ALLOWED, DENIED, FLIP = "✓", "·", "*"
CORNER = N_("from \\ to")  # the top-left cell: rows are sources, columns destinations (translated where shown)
_ = messages("npkit").gettext


def _groups(pods: tuple[str, ...]) -> list[tuple[str, list[int]]]:
    indexed = list(enumerate(pods))
    return [(ns, [i for i, _ in items]) for ns, items in groupby(indexed, key=lambda x: x[1].split("/", 1)[0])]


def render_table(matrix: Matrix, flipped: np.ndarray | None = None, legend: bool = True,
                 rows: Sequence[int] | None = None, cols: Sequence[int] | None = None) -> str:
    """The matrix as text; cells in `flipped` carry a `*`; `rows`/`cols` keep some sources/destinations.

    >>> from npkit.model import Cluster, Pod
    >>> from npkit.engine import Engine
    >>> from npkit.matrix import reachability
    >>> print(render_table(reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),
    ...                                                      Pod("b", "x", ip="10.0.0.2")))), 80), legend=False))
    TCP/80    │ x
    from \\ to │ a   b
    ──────────┼────────
    x/a       │ ✓   ✓
    x/b       │ ✓   ✓
    """
    return "\n".join(table_lines(matrix, flipped, legend, rows, cols))


def table_lines(matrix: Matrix, flipped: np.ndarray | None = None, legend: bool = True,
                rows: Sequence[int] | None = None, cols: Sequence[int] | None = None) -> Iterator[str]:
    """The lines of `render_table`, one at a time (a 5,000-pod table is never one string)."""
    everyone = range(len(matrix.pods))
    row_ids = list(everyone if rows is None else rows)
    col_ids = list(everyone if cols is None else cols)
    pods = [matrix.pods[j] for j in col_ids]
    names = [p.split("/", 1)[1] for p in pods]
    numbered = max((len(n) for n in names), default=0) > 8
    headers = [str(i + 1) if numbered else n for i, n in enumerate(names)]
    # Columns are counted in terminal columns (i18n.width), not characters: labels may be Chinese.
    cell = max([width(h) for h in headers] + [width(ALLOWED + FLIP)])  # room for a changed mark
    groups = [(ns, [col_ids[k] for k in members]) for ns, members in _groups(tuple(pods))]
    corner = _(CORNER)
    row_label = max([len(matrix.pods[i]) for i in row_ids] + [width(corner), width(matrix.label)])
    ns_line, name_line = [], []
    for (ns, _ids), (_ns, members) in zip(groups, _groups(tuple(pods)), strict=True):
        block = "  ".join(ljust(headers[k], cell) for k in members)
        ns_line.append(ljust(ns, width(block)))
        name_line.append(block)
    yield f"{ljust(matrix.label, row_label)} │ " + " │ ".join(ns_line).rstrip()
    yield f"{ljust(corner, row_label)} │ " + " │ ".join(name_line).rstrip()
    yield "─" * (row_label + 1) + "┼" + "┼".join("─" * (width(b) + 2) for b in name_line).rstrip()
    for i in row_ids:
        yield f"{matrix.pods[i].ljust(row_label)} │ " + " │ ".join(
            _marks(matrix, flipped, i, members, cell) for _ns, members in groups).rstrip()
    if numbered:
        yield _("columns: {columns}").format(columns=", ".join(f"{i + 1}={p}" for i, p in enumerate(pods)))
    if legend:
        yield legend_line(flipped is not None and bool(flipped.any()))


def legend_line(changed: bool = False) -> str:
    """"✓ allowed  · denied   (rows: source, columns: destination)", with the changed mark when cells flipped."""
    if changed:
        template = _("{allowed} allowed  {denied} denied  {changed} changed   (rows: source, columns: destination)")
    else:
        template = _("{allowed} allowed  {denied} denied   (rows: source, columns: destination)")
    return template.format(allowed=ALLOWED, denied=DENIED, changed=FLIP)


def _marks(matrix: Matrix, flipped: np.ndarray | None, i: int, members: list[int], width: int) -> str:
    marks = []
    for j in members:
        mark = ALLOWED if matrix.allowed[i, j] else DENIED
        if flipped is not None and flipped[i, j]:
            mark += FLIP
        marks.append(mark.ljust(width))
    return "  ".join(marks)

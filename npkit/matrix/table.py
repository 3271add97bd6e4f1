"""A matrix as a terminal table: rows are sources, columns destinations, grouped by namespace.

The text is stable (no colours, no widths that depend on the terminal), so notebooks under
test can compare it.
"""

from __future__ import annotations

from itertools import groupby

import numpy as np

from .matrix import Matrix

ALLOWED, DENIED, FLIP = "✓", "·", "*"
CORNER = "from \\ to"


def _groups(pods: tuple[str, ...]) -> list[tuple[str, list[int]]]:
    indexed = list(enumerate(pods))
    return [(ns, [i for i, _ in items]) for ns, items in groupby(indexed, key=lambda x: x[1].split("/", 1)[0])]


def render_table(matrix: Matrix, flipped: np.ndarray | None = None, legend: bool = True) -> str:
    """The matrix as text; cells in `flipped` carry a `*`.

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
    pods = matrix.pods
    names = [p.split("/", 1)[1] for p in pods]
    numbered = max((len(n) for n in names), default=0) > 8
    headers = [str(i + 1) if numbered else n for i, n in enumerate(names)]
    width = max([len(h) for h in headers] + [len(ALLOWED + FLIP)])  # room for a changed mark
    groups = _groups(pods)
    row_label = max([len(p) for p in pods] + [len(CORNER), len(matrix.label)])

    def cell(text: str) -> str:
        return text.ljust(width)

    ns_line, name_line = [], []
    for ns, members in groups:
        block = "  ".join(cell(headers[i]) for i in members)
        ns_line.append(ns.ljust(len(block)))
        name_line.append(block)
    lines = [
        f"{matrix.label.ljust(row_label)} │ " + " │ ".join(ns_line).rstrip(),
        f"{CORNER.ljust(row_label)} │ " + " │ ".join(name_line).rstrip(),
        "─" * (row_label + 1) + "┼" + "┼".join("─" * (len(b) + 2) for b in name_line).rstrip(),
    ]
    for i, src in enumerate(pods):
        blocks = []
        for _, members in groups:
            marks = []
            for j in members:
                mark = ALLOWED if matrix.allowed[i, j] else DENIED
                if flipped is not None and flipped[i, j]:
                    mark += FLIP
                marks.append(cell(mark))
            blocks.append("  ".join(marks))
        lines.append(f"{src.ljust(row_label)} │ " + " │ ".join(blocks).rstrip())
    if numbered:
        lines.append("columns: " + ", ".join(f"{i + 1}={p}" for i, p in enumerate(pods)))
    if legend:
        note = f"  {FLIP} changed" if flipped is not None and flipped.any() else ""
        lines.append(f"{ALLOWED} allowed  {DENIED} denied{note}   (rows: source, columns: destination)")
    return "\n".join(lines)

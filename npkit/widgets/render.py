"""Pure renderings of a reachability Matrix: HTML table, stable text, heatmap, graph.

Each function takes a `npkit.matrix.Matrix` (and optionally which cells flipped) and
returns a string or a matplotlib Figure; nothing here evaluates policy. `MatrixView`
bundles them into one object that displays well in a notebook.
"""

from __future__ import annotations

import math
from html import escape
from itertools import groupby
from typing import TYPE_CHECKING, Any

import numpy as np

from ..i18n import messages
from ..matrix import Matrix, render_table
from .fonts import chinese_capable

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_ = messages("npkit-ui").gettext
ALLOWED_COLOR, DENIED_COLOR, FLIP_COLOR = "#2da44e", "#e5534b", "#bf8700"
ALLOWED_BG, DENIED_BG = "#dafbe1", "#ffebe9"

# Theme-aware colours (JupyterLab's variables, light fallbacks): marks are mixed towards the theme's
# strongest font colour, which keeps them at WCAG contrast >= 4.5:1 on their cells in light and dark.
ALLOWED_CELL = "color-mix(in srgb, var(--jp-success-color1, #388e3c) 24%, var(--jp-layout-color1, white))"
DENIED_CELL = "color-mix(in srgb, var(--jp-error-color1, #d32f2f) 20%, var(--jp-layout-color1, white))"
ALLOWED_MARK = "color-mix(in srgb, var(--jp-success-color0, #1b5e20) 40%, var(--jp-ui-font-color0, black))"
DENIED_MARK = "color-mix(in srgb, var(--jp-error-color0, #b71c1c) 40%, var(--jp-ui-font-color0, black))"
LINE = "var(--jp-border-color2, #d0d7de)"
HEAD = "var(--jp-layout-color2, #f6f8fa)"

TABLE_STYLE = (
    "<style>"
    ".npk-m-wrap{max-width:100%;max-height:75vh;overflow:auto}"
    ".npk-m{border-collapse:separate;border-spacing:0;font-family:var(--jp-code-font-family,monospace);font-size:12px;"
    "color:var(--jp-ui-font-color1,#222);background:var(--jp-layout-color1,white)}"
    f".npk-m th,.npk-m td{{border:1px solid {LINE};padding:1px 5px;text-align:center}}"
    f".npk-m thead th{{position:sticky;top:0;background:{HEAD};z-index:1}}"
    ".npk-m thead tr:nth-child(2) th{top:1.6em}"
    f".npk-m th.src{{text-align:left;white-space:nowrap;position:sticky;left:0;background:{HEAD}}}"
    f".npk-m th.corner{{position:sticky;left:0;top:0;z-index:2;background:{HEAD}}}"
    f".npk-m th.ns{{white-space:nowrap}}"
    f".npk-m td.a,.npk-a{{background:{ALLOWED_CELL};color:{ALLOWED_MARK};font-weight:700}}"
    f".npk-m td.d,.npk-d{{background:{DENIED_CELL};color:{DENIED_MARK}}}"
    f".npk-m td.f{{outline:2px solid var(--jp-warn-color1, {FLIP_COLOR});outline-offset:-2px;font-weight:700}}"
    ".npk-m td.sel{box-shadow:inset 0 0 0 2px var(--jp-brand-color1,#0969da)}"
    ".npk-m caption{caption-side:bottom;text-align:left;color:var(--jp-ui-font-color2,#6e7781);padding-top:3px}"
    "</style>"
)


def namespace_groups(pods: tuple[str, ...]) -> list[tuple[str, list[int]]]:
    """Consecutive pods of one namespace: [(namespace, [indexes])] (pods come sorted by namespace).

    >>> namespace_groups(("x/a", "x/b", "y/a"))
    [('x', [0, 1]), ('y', [2])]
    """
    return [(ns, [i for i, _pod in items])
            for ns, items in groupby(enumerate(pods), key=lambda x: x[1].split("/", 1)[0])]


def _flips(matrix: Matrix, flipped: np.ndarray | None) -> np.ndarray:
    return np.zeros_like(matrix.allowed) if flipped is None else flipped


def matrix_html(matrix: Matrix, flipped: np.ndarray | None = None,
                selected: tuple[str, str] | None = None, caption: str | None = None) -> str:
    """The matrix as an HTML table: rows are sources, columns destinations, grouped by namespace.

    Allowed cells are green ✓, denied red ·; cells in `flipped` are outlined and starred;
    `selected` (src, dst) is ringed in blue. Every cell's tooltip names the connection.

    >>> from npkit.engine import Engine
    >>> from npkit.matrix import reachability
    >>> from npkit.model import Cluster, Pod
    >>> m = reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))), 80)
    >>> 'title="x/a → x/a TCP/80: allowed"' in matrix_html(m)
    True
    """
    flips = _flips(matrix, flipped)
    groups = namespace_groups(matrix.pods)
    ns_row = "".join(f'<th class="ns" colspan="{len(m)}" title="{escape(namespace_title(ns))}">'
                     f"{escape(ns)}</th>" for ns, m in groups)
    name_row = "".join(f'<th>{escape(p.split("/", 1)[1])}</th>' for p in matrix.pods)
    rows = []
    for i, src in enumerate(matrix.pods):
        cells = []
        for j, dst in enumerate(matrix.pods):
            ok = bool(matrix.allowed[i, j])
            cls = ["a" if ok else "d"]
            mark = "✓" if ok else "·"
            if flips[i, j]:
                cls.append("f")
                mark += "*"
            if selected == (src, dst):
                cls.append("sel")
            tip = cell_tip(src, dst, matrix.label, ok)
            cells.append(f'<td class="{" ".join(cls)}" title="{escape(tip)}">{mark}</td>')
        rows.append(f'<tr><th class="src">{escape(src)}</th>{"".join(cells)}</tr>')
    note = (_("✓ allowed · denied  * changed (rows: source, columns: destination)") if flips.any() else
            _("✓ allowed · denied (rows: source, columns: destination)"))
    cap = escape(caption + " — " if caption else "") + escape(note)
    return (f'{TABLE_STYLE}<div class="npk-m-wrap"><table class="npk-m"><caption>{cap}</caption>'
            f'<thead><tr><th class="corner" rowspan="2">{escape(matrix.label)}<br>{escape(corner_axes())}</th>'
            f"{ns_row}</tr>"
            f'<tr>{name_row}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')



def corner_axes() -> str:
    """The matrix corner's reminder of which way it reads: rows are sources, columns destinations."""
    # Translators: the matrix's top-left corner, above the row labels: rows are sources, columns destinations
    return _("from \\ to")


def namespace_title(namespace: str) -> str:
    """A namespace header's tooltip."""
    return _("namespace {namespace}").format(namespace=namespace)


def cell_tip(src: str, dst: str, probe: str, allowed: bool) -> str:
    """A matrix cell's tooltip: "x/a → x/b TCP/80: allowed"."""
    template = _("{src} → {dst} {probe}: allowed") if allowed else _("{src} → {dst} {probe}: denied")
    return template.format(src=src, dst=dst, probe=probe)


def matrix_text(matrix: Matrix, flipped: np.ndarray | None = None) -> str:
    """The stable text form (the same table `npkit matrix` prints)."""
    return render_table(matrix, flipped if flipped is not None and flipped.any() else None)


def _new_figure(width: float, height: float) -> tuple[Figure, Any]:
    # pyplot makes notebooks display the figure; closing it stops a second, automatic copy.
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(width, height))
    plt.close(fig)
    return fig, ax


def heatmap(matrix: Matrix, flipped: np.ndarray | None = None, title: str | None = None) -> Figure:
    """A matplotlib Figure: green allowed, red denied, flipped cells outlined in amber."""
    with chinese_capable():  # a title or label may be Chinese
        return _heatmap(matrix, flipped, title)


def _heatmap(matrix: Matrix, flipped: np.ndarray | None, title: str | None) -> Figure:
    from matplotlib.colors import ListedColormap
    from matplotlib.patches import Rectangle

    n = len(matrix.pods)
    size = max(3.0, 0.32 * n + 2.2)
    fig, ax = _new_figure(size, size)
    ax.imshow(matrix.allowed.astype(int), cmap=ListedColormap([DENIED_COLOR, ALLOWED_COLOR]), vmin=0, vmax=1)
    ax.set_xticks(range(n), matrix.pods, rotation=90, fontsize=8)
    ax.set_yticks(range(n), matrix.pods, fontsize=8)
    ax.set_xlabel(_("destination"))
    ax.set_ylabel(_("source"))
    ax.xaxis.set_label_position("top")
    ax.xaxis.tick_top()
    for _ns, members in namespace_groups(matrix.pods)[1:]:
        edge = members[0] - 0.5
        ax.axhline(edge, color="white", linewidth=2)
        ax.axvline(edge, color="white", linewidth=2)
    for i, j in zip(*np.nonzero(_flips(matrix, flipped)), strict=True):
        ax.add_patch(Rectangle((j - 0.5, i - 0.5), 1, 1, fill=False, edgecolor=FLIP_COLOR, linewidth=2.5))
    ax.set_title(title or _("{probe}: green allowed, red denied").format(probe=matrix.label), fontsize=10, pad=12)
    fig.tight_layout()
    return fig


def graph(matrix: Matrix, title: str | None = None, include_self: bool = False) -> Figure:
    """A matplotlib Figure: pods on a circle grouped by namespace, an arrow per allowed connection."""
    with chinese_capable():  # a title may be Chinese
        return _graph(matrix, title, include_self)


def _graph(matrix: Matrix, title: str | None, include_self: bool) -> Figure:
    import matplotlib
    from matplotlib.patches import FancyArrowPatch

    n = len(matrix.pods)
    fig, ax = _new_figure(7, 7)
    angles = [2 * math.pi * i / max(n, 1) for i in range(n)]
    xy = [(math.cos(a), math.sin(a)) for a in angles]
    colors = {}
    cmap = matplotlib.colormaps["tab10"]
    for k, (ns, _members) in enumerate(namespace_groups(matrix.pods)):
        colors[ns] = cmap(k % 10)
    for i, j in zip(*np.nonzero(matrix.allowed), strict=True):
        if i == j and not include_self:
            continue
        ax.add_patch(FancyArrowPatch(xy[i], xy[j], arrowstyle="-|>", mutation_scale=9, color="#57606a",
                                     alpha=0.35, linewidth=0.8, shrinkA=9, shrinkB=9,
                                     connectionstyle="arc3,rad=0.08"))
    for (x, y), pod in zip(xy, matrix.pods, strict=True):
        ns = pod.split("/", 1)[0]
        ax.scatter([x], [y], s=160, color=colors[ns], zorder=3, edgecolors="white")
        ax.annotate(pod, (x, y), xytext=(1.13 * x, 1.13 * y), ha="center", va="center", fontsize=8)
    edges = int(matrix.allowed.sum() - (0 if include_self else np.trace(matrix.allowed)))
    ax.set_title(title or _("{probe}: {n} allowed connections (arrows: source → destination)").format(
        probe=matrix.label, n=edges), fontsize=10)
    ax.set_xlim(-1.45, 1.45)
    ax.set_ylim(-1.3, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig


class MatrixView:
    """A matrix that displays as an HTML table in notebooks and as the stable table in text.

    >>> from npkit.engine import Engine
    >>> from npkit.matrix import reachability
    >>> from npkit.model import Cluster, Pod
    >>> view = MatrixView(reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))), 80))
    >>> print(repr(view).splitlines()[0])
    TCP/80    │ x
    """

    def __init__(self, matrix: Matrix, before: Matrix | None = None, caption: str | None = None):
        self.matrix = matrix
        self.before = before
        self.caption = caption
        self.flipped = matrix.flipped(before)

    def __repr__(self) -> str:
        return matrix_text(self.matrix, self.flipped)

    def _repr_html_(self) -> str:
        return matrix_html(self.matrix, self.flipped, caption=self.caption)

    def heatmap(self) -> Figure:
        """The matrix as a heatmap Figure (flipped cells outlined)."""
        return heatmap(self.matrix, self.flipped)

    def graph(self) -> Figure:
        """The allowed connections as a graph Figure."""
        return graph(self.matrix)

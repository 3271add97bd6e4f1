"""`show_matrix`: the one call a notebook needs to display a reachability matrix; `as_engine`, how
every widget takes "a cluster or an engine"."""

from __future__ import annotations

from html import escape
from typing import Any

import ipywidgets as w

from ..engine import Engine
from ..explain.html import render_verdict_html
from ..i18n import messages
from ..matrix import Matrix, reachability
from ..model import Cluster
from .diagram import diagram as layout
from .frontend import frame
from .grid import Cell, MatrixGrid
from .render import MatrixView

_ = messages("npkit-ui").gettext


def as_engine(source: Cluster | Engine, dataplane: str) -> Engine:
    """`source` itself when it is an Engine, else an Engine for the cluster on `dataplane`."""
    return source if isinstance(source, Engine) else Engine(source, dataplane)  # type: ignore[arg-type]


class MatrixPanel(MatrixView):
    """A matrix that, in JupyterLab, is the interactive table (sticky labels, folding namespaces,
    theme colours) with its diagram; a click on a cell or an arrow explains it. Text and static
    HTML forms are MatrixView's."""

    def __init__(self, matrix: Matrix, before: Matrix | None = None, caption: str | None = None,
                 engine: Engine | None = None, show_diagram: bool = True):
        super().__init__(matrix, before, caption)
        self.engine = engine
        self.show_diagram = show_diagram
        self._view: w.VBox | None = None
        self.grid: MatrixGrid | None = None
        self.explanation = w.HTML() if engine is not None else None

    def _look(self, src: str, dst: str) -> Cell:
        i, j = self.matrix.pods.index(src), self.matrix.pods.index(dst)
        ok, flipped = bool(self.matrix.allowed[i, j]), bool(self.flipped[i, j])
        tip = _PANEL_TIPS[ok, flipped, self.engine is not None]().format(src=src, dst=dst, probe=self.matrix.label)
        return Cell(("✓" if ok else "·") + ("*" if flipped else ""), tooltip=tip,
                    tone="allowed" if ok else "denied", flags="*" if flipped else "")

    def explain(self, src: str, dst: str) -> None:
        """Show why src → dst gets its answer (what a click does)."""
        if self.engine is None or self.explanation is None or self.grid is None:
            return
        port, protocol = self.matrix.port, self.matrix.protocol
        self.explanation.value = render_verdict_html(self.engine.verdict(src, dst, port, protocol))
        self.grid.widget.update(selected=[src, dst])

    def widget(self) -> w.VBox:
        """The interactive view (made once, on first display)."""
        if self._view is None:
            self.grid = MatrixGrid(self.matrix.pods, self.explain, caption=self.caption or "")
            note = _("✓ allowed · denied  * changed") if self.flipped.any() else _("✓ allowed · denied")
            self.grid.paint(self._look, corner=self.matrix.label, status=note,
                            diagram=layout(self.matrix, self.flipped) if self.show_diagram else None)
            parts: list[w.Widget] = [self.grid.widget]
            if self.explanation is not None:
                hint = escape(_("Click a cell or an arrow to see why."))
                self.explanation.value = f'<span style="color:var(--jp-ui-font-color2,#57606a)">{hint}</span>'
                parts.append(self.explanation)
            self._view = frame(w.VBox(parts, layout=w.Layout(width="100%")))
        return self._view

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle: dict[str, Any] = self.widget()._repr_mimebundle_(**kwargs)
        bundle["text/plain"] = repr(self)
        bundle["text/html"] = self._repr_html_()
        return bundle


# A cell's tooltip, by (allowed, changed, clickable): one whole sentence each.
_PANEL_TIPS = {
    (True, False, False): lambda: _("{src} → {dst} {probe}: allowed"),
    (False, False, False): lambda: _("{src} → {dst} {probe}: denied"),
    (True, True, False): lambda: _("{src} → {dst} {probe}: allowed (changed)"),
    (False, True, False): lambda: _("{src} → {dst} {probe}: denied (changed)"),
    (True, False, True): lambda: _("{src} → {dst} {probe}: allowed. Click to explain."),
    (False, False, True): lambda: _("{src} → {dst} {probe}: denied. Click to explain."),
    (True, True, True): lambda: _("{src} → {dst} {probe}: allowed (changed). Click to explain."),
    (False, True, True): lambda: _("{src} → {dst} {probe}: denied (changed). Click to explain."),
}


def show_matrix(source: Cluster | Engine, port: int | None = 80, protocol: str = "TCP",
                before: Matrix | None = None, dataplane: str = "calico", caption: str | None = None,
                diagram: bool = True) -> MatrixPanel:
    """The matrix of a cluster (or engine) for one port, ready to display; cells that differ from
    `before` are starred; a click explains a cell.

    >>> from npkit.model import Cluster, Pod
    >>> view = show_matrix(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
    >>> view.matrix["x/a", "x/b"]
    True
    """
    engine = as_engine(source, dataplane)
    return MatrixPanel(reachability(engine, port, protocol), before, caption, engine, diagram)

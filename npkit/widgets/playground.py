"""Policy playground: edit policies next to a cluster and watch the reachability matrix change.

`PlaygroundState` is the logic (pytest drives it directly): it takes YAML text, validates
it with the loader, asks the engine for the matrix, remembers the previous good result
to mark flipped cells, and explains any cell. `Playground` is the ipywidgets view on top.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any

import ipywidgets as w
import numpy as np

from ..engine import Engine, Verdict, protocol_name
from ..explain import render_verdict
from ..explain.html import render_verdict_html
from ..i18n import messages
from ..loading import load_string
from ..matrix import Matrix, reachability
from ..model import Cluster, Diagnostic, InputError, Origin
from .css import style
from .diagnostics import diagnostics_html, diagnostics_text
from .diagram import diagram
from .frontend import CodeEditor
from .grid import Cell, MatrixGrid
from .render import matrix_text
from .view import View

_ = messages("npkit-ui").gettext
ngettext = messages("npkit-ui").ngettext
Probe = tuple[int | None, str]
DEFAULT_PROBES: tuple[Probe, ...] = ((80, "TCP"),)


def probe_label(probe: Probe) -> str:
    """`(80, "TCP")` → "TCP/80"; a port of None means every port of the protocol."""
    port, protocol = probe
    return f"{protocol_name(protocol)}/{port}" if port is not None else protocol_name(protocol)


@dataclass(eq=False)
class Evaluation:
    """One accepted version of the editor: the cluster it makes and its engine (matrices cached)."""

    text: str
    cluster: Cluster
    engine: Engine
    warnings: tuple[Diagnostic, ...] = ()
    _matrices: dict[Probe, Matrix] = field(default_factory=dict, repr=False)

    def matrix(self, probe: Probe) -> Matrix:
        if probe not in self._matrices:
            self._matrices[probe] = reachability(self.engine, probe[0], probe[1])
        return self._matrices[probe]


def evaluate(base: Cluster, text: str, filename: str, dataplane: str) -> Evaluation:
    """Load `text` on top of `base` and build the engine; raises InputError for any bad input."""
    loaded = load_string(text, filename=filename)
    cluster = base.merged(loaded)
    try:
        engine = Engine(cluster, dataplane)  # type: ignore[arg-type]
    except ValueError as e:  # e.g. a policy naming a tier that does not exist
        raise InputError([Diagnostic("error", str(e), Origin(filename))]) from None
    warnings = loaded.warnings
    return Evaluation(text, cluster, engine, warnings)


class PlaygroundState:
    """The playground without any widgets.

    >>> from npkit.model import Cluster, Pod
    >>> s = PlaygroundState(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
    >>> s.edit("kind: NetworkPolicy\\napiVersion: networking.k8s.io/v1\\n"
    ...        "metadata: {name: deny, namespace: x}\\nspec: {podSelector: {}}\\n")
    True
    >>> s.matrix["x/a", "x/b"], bool(s.flipped.any())
    (False, True)
    >>> s.edit("kind: NetworkPolicy\\n  bad")
    False
    >>> s.stale, s.matrix["x/a", "x/b"]
    (True, False)
    """

    def __init__(self, cluster: Cluster, policies: str = "", probes: Sequence[Probe] = DEFAULT_PROBES,
                 dataplane: str = "calico", filename: str = "policies.yaml"):
        if not probes:
            raise ValueError(_("give at least one (port, protocol) probe"))
        self.base = cluster
        self.probes: tuple[Probe, ...] = tuple((port, protocol_name(proto)) for port, proto in probes)
        self.probe: Probe = self.probes[0]
        self.dataplane = dataplane
        self.filename = filename
        self.text = ""
        self.errors: tuple[Diagnostic, ...] = ()
        self.current: Evaluation = evaluate(cluster, "", filename, dataplane)
        self.previous: Evaluation | None = None
        self.selected: tuple[str, str] | None = None
        if policies:
            self.edit(policies)
            self.previous = None  # nothing has flipped before the learner's first edit

    # -- editing ---------------------------------------------------------------------------
    def edit(self, text: str) -> bool:
        """Take new editor text. True when it loaded; otherwise `errors` says why and the last
        good result stays (`stale`)."""
        if text == self.text and not self.errors:
            return True
        self.text = text
        try:
            evaluation = evaluate(self.base, text, self.filename, self.dataplane)
        except InputError as e:
            self.errors = e.diagnostics
            return False
        self.errors = ()
        self.previous, self.current = self.current, evaluation
        if self.selected and not all(p in self.pods for p in self.selected):
            self.selected = None
        return True

    @property
    def stale(self) -> bool:
        """True while the editor holds errors and the matrix shows the last good version."""
        return bool(self.errors)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return self.current.warnings

    def set_probe(self, port: int | None, protocol: str = "TCP") -> None:
        probe = (port, protocol_name(protocol))
        if probe not in self.probes:
            self.probes += (probe,)
        self.probe = probe

    # -- results ---------------------------------------------------------------------------
    @property
    def pods(self) -> tuple[str, ...]:
        return self.current.engine.pods

    @property
    def matrix(self) -> Matrix:
        return self.current.matrix(self.probe)

    @property
    def flipped(self) -> np.ndarray:
        """Cells whose answer changed with the last accepted edit."""
        before = self.previous.matrix(self.probe) if self.previous is not None else None
        return self.matrix.flipped(before)

    def flipped_cells(self) -> list[tuple[str, str]]:
        """The (src, dst) pairs that flipped with the last accepted edit."""
        return [(self.pods[i], self.pods[j]) for i, j in zip(*np.nonzero(self.flipped), strict=True)]

    def explain(self, src: str, dst: str) -> Verdict:
        """The verdict for src → dst on the current probe (and remember the cell as selected)."""
        self.selected = (src, dst)
        port, protocol = self.probe
        return self.current.engine.verdict(src, dst, port, protocol)

    def explanation(self) -> Verdict | None:
        """The verdict for the selected cell, if any."""
        return self.explain(*self.selected) if self.selected else None

    # -- text ----------------------------------------------------------------------------
    def status(self) -> str:
        """One line: what the matrix shows."""
        n = len(self.current.cluster.policies)
        policies = ngettext("{n} policy", "{n} policies", n).format(n=n)
        if self.stale:
            count = len([d for d in self.errors if d.severity == "error"])
            return ngettext("{n} error in the editor: showing the last good version ({policies}), marked stale",
                            "{n} errors in the editor: showing the last good version ({policies}), marked stale",
                            count).format(n=count, policies=policies)
        flips = int(self.flipped.sum())
        if not flips:
            return ngettext("{n} policy loaded", "{n} policies loaded", n).format(n=n)
        return ngettext("{policies} loaded; {n} cell changed with the last edit (*)",
                        "{policies} loaded; {n} cells changed with the last edit (*)", flips).format(
                            policies=policies, n=flips)

    def text_report(self) -> str:
        """Status, problems, and the matrix as stable text (what a notebook under test shows)."""
        parts = [self.status()]
        problems = self.errors + self.warnings
        if problems:
            parts.append(diagnostics_text(problems, self.text))
        parts.append(matrix_text(self.matrix, self.flipped))
        verdict = self.explanation()
        if verdict is not None:
            parts.append(render_verdict(verdict, verbose=False))
        return "\n".join(parts)


class Playground(View[PlaygroundState]):
    """The policy playground widget: editor, problems, clickable matrix with its diagram, explanation.

    `Playground(cluster, policies_yaml, probes=[(80, "TCP"), (53, "UDP")])`; display it as the
    last expression of a cell. `playground.state` is the PlaygroundState behind it. `addresses`
    (IPs outside the cluster) join the pods in the from / to choices of the Explain bar.
    `debounce` is how long typing must pause (seconds) before the browser sends the text.
    """

    def __init__(self, cluster: Cluster, policies: str = "", probes: Sequence[Probe] = DEFAULT_PROBES,
                 dataplane: str = "calico", debounce: float = 0.25, editor_rows: int = 18,
                 addresses: Sequence[str] = (), diagram: bool = True):
        self.state = PlaygroundState(cluster, policies, probes, dataplane)
        self.addresses = tuple(addresses)  # outside the cluster, offered in from / to next to the pods
        self.show_diagram = diagram
        self.editor = CodeEditor(value=policies, rows=editor_rows, debounce_ms=int(debounce * 1000),
                                 placeholder=_("Write or paste NetworkPolicy YAML here"), label=_("policies (YAML)"))
        self.editor.add_class("npkit-editor")
        self.status = w.HTML()
        self.status.add_class("npkit-status")
        self.problems = w.HTML()
        self.grid = MatrixGrid(self.state.pods, self.explain)
        self.grid.widget.update(explain=True)
        self.grid.widget.handle("explain", lambda m: self.explain(m.get("src"), m.get("dst")))
        self.grid.widget.handle("probe", self._probe_chosen)
        self.explanation = w.HTML()
        self.explanation.add_class("npkit-explanation")
        self.editor.observe(lambda change: self._apply(change["new"]), names="value")
        self.editor_title = w.HTML(_("<b>Policies</b> (YAML; the matrix updates as you type)"))
        left = w.VBox([self.editor_title, self.editor, self.problems],
                      layout=w.Layout(flex="1 1 360px", min_width="300px", max_width="100%"))
        right = w.VBox([self.status, self.grid.widget, self.explanation],
                       layout=w.Layout(flex="2 1 480px", min_width="0", max_width="100%"))
        self.widget = w.Box([style(), left, right], layout=w.Layout(
            width="100%", flex_flow="row wrap", align_items="flex-start", grid_gap="12px"))
        self.widget.add_class("npkit-playground")
        self.refresh()

    # -- events ----------------------------------------------------------------------------
    def _apply(self, text: str) -> None:
        try:
            self.state.edit(text)
        except Exception as e:  # noqa: BLE001 - a widget shows problems, never a traceback
            problem = _("internal error: {error}").format(error=f"{type(e).__name__}: {e}")
            self.state.errors = (Diagnostic("error", problem),)
        self.refresh()

    def _probe_chosen(self, message: dict[str, Any]) -> None:
        index = int(message.get("index", 0))
        if 0 <= index < len(self.state.probes):
            self.state.set_probe(*self.state.probes[index])
            self.refresh()

    def set_probe(self, port: int | None, protocol: str = "TCP") -> None:
        """Show the matrix for another probe (what the probe menu does)."""
        self.state.set_probe(port, protocol)
        self.refresh()

    def explain(self, src: str | None, dst: str | None) -> None:
        """Explain src → dst (what a click on a cell or an arrow, or the Explain button, does)."""
        if not src or not dst:
            return
        try:
            self.state.explain(src, dst)
        except Exception as e:  # noqa: BLE001
            problem = _("could not explain {src} → {dst}: {error}").format(src=src, dst=dst, error=e)
            self.explanation.value = f"<pre>{escape(problem)}</pre>"
            return
        self.refresh()

    # -- drawing ---------------------------------------------------------------------------
    def _look(self, src: str, dst: str) -> Cell:
        s = self.state
        i, j = self._index[src], self._index[dst]
        ok = bool(self._allowed[i, j])
        flipped = bool(self._flips[i, j])
        text = ("✓" if ok else "·") + ("*" if flipped else "")
        tip = _CELL_TIPS[ok, flipped]().format(src=src, dst=dst, probe=self._label)
        flags = ("*" if flipped else "") + ("@" if s.selected == (src, dst) else "")
        tone = "stale" if s.stale else "allowed" if ok else "denied"
        return Cell(text, tooltip=tip, tone=tone, flags=flags)

    def refresh(self) -> None:
        """Redraw everything from the state."""
        s = self.state
        matrix = s.matrix
        self._flips = s.flipped
        self._allowed = matrix.allowed
        self._label = matrix.label
        self._index = {p: i for i, p in enumerate(s.pods)}
        stale = ""
        if s.stale:
            note = escape(_("(stale: fix the errors to update)"))
            stale = f' <span style="color:var(--jp-warn-color0,#9a6700)">{note}</span>'
        self.status.value = f"<span>{escape(s.status())}</span>{stale}"
        problems = s.errors + s.warnings
        self.problems.value = diagnostics_html(problems, s.text)
        self.editor.show(problems, s.filename)
        self.grid.set_pods(s.pods)
        verdict = s.explanation()
        ends = list(s.pods + self.addresses)
        src, dst = (verdict.probe.src.key, verdict.probe.dst.key) if verdict is not None else \
            (s.pods[-1], s.pods[0]) if s.pods else ("", "")
        self.grid.paint(self._look, corner=self._label, probes=[probe_label(p) for p in s.probes],
                        probe=s.probes.index(s.probe), ends=ends, src=src, dst=dst,
                        selected=list(s.selected or ()), stale=s.stale,
                        diagram=diagram(matrix, self._flips) if self.show_diagram else None)
        if verdict is not None:
            self.explanation.value = render_verdict_html(verdict)
        else:
            hint = _("Click a cell or an arrow (or choose from and to, then Explain) to see why.")
            self.explanation.value = f'<span style="color:var(--jp-ui-font-color2,#57606a)">{escape(hint)}</span>'


# A playground cell's tooltip, by (allowed, changed with the last edit): one whole sentence each.
_CELL_TIPS = {
    (True, False): lambda: _("{src} → {dst} {probe}: allowed. Click to explain."),
    (False, False): lambda: _("{src} → {dst} {probe}: denied. Click to explain."),
    (True, True): lambda: _("{src} → {dst} {probe}: allowed (changed with your last edit). Click to explain."),
    (False, True): lambda: _("{src} → {dst} {probe}: denied (changed with your last edit). Click to explain."),
}

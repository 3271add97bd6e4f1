"""Probe several ports at once: from one source, which destinations answer on which port.

A matrix answers one port for every pair of pods; a port table answers every probed port
for one source, which is what named ports and ranges need. Each cell is the engine's verdict.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

import numpy as np

from ..engine import Engine, Verdict, protocol_name
from ..explain import render_verdict
from ..i18n import ljust, messages, width
from ..model import Cluster
from .playground import Probe, probe_label
from .render import TABLE_STYLE, cell_tip
from .show import as_engine
from .wording import listing

_ = messages("npkit-ui").gettext


class PortTable:
    """`PortTable(cluster, "x/a", [(80, "TCP"), (53, "UDP")])`: rows are destinations (every pod but
    the source, unless `dsts` names pods or IP addresses), columns the probes.

    >>> from npkit.model import Cluster, Pod
    >>> t = PortTable(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))), "x/a",
    ...               [(80, "TCP"), (53, "UDP")])
    >>> t["x/b", "UDP/53"], t.dsts
    (True, ('x/b',))
    """

    def __init__(self, source: Cluster | Engine, src: str, probes: Sequence[Probe],
                 dsts: Sequence[str] | None = None, dataplane: str = "calico"):
        self.engine = as_engine(source, dataplane)
        self.src = src
        self.probes: tuple[Probe, ...] = tuple((port, protocol_name(proto)) for port, proto in probes)
        self.dsts = tuple(dsts) if dsts is not None else tuple(p for p in self.engine.pods if p != src)
        self.allowed = np.array([[self.engine.allowed(src, d, port, proto) for port, proto in self.probes]
                                 for d in self.dsts], dtype=bool).reshape(len(self.dsts), len(self.probes))

    @property
    def labels(self) -> tuple[str, ...]:
        """The probes as column headings, e.g. `TCP/80`."""
        return tuple(probe_label(p) for p in self.probes)

    def _column(self, probe: Probe | str) -> int:
        label = probe if isinstance(probe, str) else probe_label(probe)
        if label not in self.labels:
            raise KeyError(_("no probe {probe}; probes: {probes}").format(probe=label, probes=listing(self.labels)))
        return self.labels.index(label)

    def __getitem__(self, cell: tuple[str, Probe | str]) -> bool:
        dst, probe = cell
        return bool(self.allowed[self.dsts.index(dst), self._column(probe)])

    def reachable(self, dst: str) -> tuple[str, ...]:
        """The probes on which the source reaches `dst`."""
        row = self.allowed[self.dsts.index(dst)]
        return tuple(label for label, ok in zip(self.labels, row, strict=True) if ok)

    def verdict(self, dst: str, probe: Probe | str) -> Verdict:
        """The explanation for one cell."""
        port, protocol = self.probes[self._column(probe)]
        return self.engine.verdict(self.src, dst, port, protocol)

    def explain(self, dst: str, probe: Probe | str, verbose: bool = True) -> str:
        """The explanation for one cell as text (rule by rule unless `verbose=False`)."""
        return render_verdict(self.verdict(dst, probe), verbose=verbose)

    def __repr__(self) -> str:
        corner = _("from {src}").format(src=self.src)
        columns = max([width(d) for d in self.dsts] + [width(corner)])
        cols = [max(len(label), 3) for label in self.labels]
        head = ljust(corner, columns) + " │ " + "  ".join(
            label.ljust(c) for label, c in zip(self.labels, cols, strict=True))
        lines = [head, "─" * columns + "─┼─" + "──".join("─" * c for c in cols)]
        for i, dst in enumerate(self.dsts):
            marks = ("✓" if ok else "·" for ok in self.allowed[i])
            lines.append(ljust(dst, columns) + " │ " + "  ".join(m.ljust(c) for m, c in zip(marks, cols, strict=True)))
        lines.append(_("✓ allowed  · denied   (rows: destination, columns: port probed)"))
        return "\n".join(line.rstrip() for line in lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(label)}</th>" for label in self.labels)
        rows = []
        for i, dst in enumerate(self.dsts):
            cells = []
            for j, ok in enumerate(self.allowed[i]):
                tip = cell_tip(self.src, dst, self.labels[j], bool(ok))
                cells.append(f'<td class="{"a" if ok else "d"}" title="{escape(tip)}">{"✓" if ok else "·"}</td>')
            rows.append(f'<tr><th class="src">{escape(dst)}</th>{"".join(cells)}</tr>')
        caption = _("✓ allowed · denied — from {src} (rows: destination, columns: port probed)").format(src=self.src)
        corner = _("from {src} to").format(src=self.src)
        return (f'{TABLE_STYLE}<div class="npk-m-wrap"><table class="npk-m">'
                f'<caption>{escape(caption)}</caption><thead><tr><th class="corner">{escape(corner)}</th>{head}</tr>'
                f'</thead><tbody>{"".join(rows)}</tbody></table></div>')

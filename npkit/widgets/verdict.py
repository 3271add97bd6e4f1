"""`show_verdict`: one connection's verdict with its explanation, the twin of `show_matrix`;
`show_connections`: several connections, one line each (addresses outside the cluster too).

Both display as HTML in notebooks (the explanation: tiers → policies → rules → checks) and as
stable text in plain output (the `npkit explain` text; one line per connection), so nbval output
stays the same from run to run.
"""

from __future__ import annotations

from html import escape
from typing import Any

from ..engine import Engine, Verdict
from ..explain import render_verdict
from ..explain.html import render_verdict_html
from ..i18n import messages
from ..model import Cluster
from .render import ALLOWED_MARK, DENIED_MARK
from .show import as_engine

_ = messages("npkit-ui").gettext


class VerdictView:
    """A verdict that displays as its HTML explanation in notebooks and as text elsewhere."""

    def __init__(self, verdict: Verdict, verbose: bool = True):
        self.verdict = verdict
        self.verbose = verbose

    @property
    def allowed(self) -> bool:
        return self.verdict.allowed

    def __repr__(self) -> str:
        return render_verdict(self.verdict, self.verbose)

    def _repr_html_(self) -> str:
        return render_verdict_html(self.verdict, self.verbose)


def show_verdict(source: Cluster | Engine, src: str, dst: str, port: int | None = 80, protocol: str = "TCP",
                 dataplane: str = "calico", verbose: bool = True, **traffic: Any) -> VerdictView:
    """Why `src` may or may not connect to `dst` (pod keys or addresses), ready to display.

    `traffic` passes HTTP or ICMP details on (`http_method="GET"`, `icmp_type=8`).

    >>> from npkit.model import Cluster, Pod
    >>> view = show_verdict(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))), "x/a", "x/b")
    >>> view.allowed, repr(view).splitlines()[0]
    (True, 'x/a → x/b  TCP/80: ALLOWED')
    """
    return VerdictView(as_engine(source, dataplane).verdict(src, dst, port, protocol, **traffic), verbose)


Connection = tuple[Any, ...]  # (src, dst, port) or (src, dst, port, protocol); src / dst are pod keys or addresses


class ConnectionsView:
    """Several connections with their verdicts, one line each: what a pod matrix cannot show
    (addresses outside the cluster, other ports side by side)."""

    def __init__(self, verdicts: list[Verdict]):
        self.verdicts = tuple(verdicts)

    @property
    def allowed(self) -> tuple[bool, ...]:
        """Each connection's answer, in the order given."""
        return tuple(v.allowed for v in self.verdicts)

    def __repr__(self) -> str:
        return "\n".join(f"{'✓' if v.allowed else '✗'} {v.probe}: {v.summary}" for v in self.verdicts)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td style='text-align:center;color:{ALLOWED_MARK if v.allowed else DENIED_MARK}'>"
            f"{'✓' if v.allowed else '✗'}</td><td><code>{escape(str(v.probe))}</code></td>"
            f"<td style='text-align:left'>{escape(v.summary)}</td></tr>" for v in self.verdicts)
        connection, why = escape(_("connection")), escape(_("why"))
        return ("<table style='border-collapse:collapse;font-size:13px'><tr><th></th>"
                f"<th>{connection}</th><th style='text-align:left'>{why}</th></tr>{rows}</table>")


def show_connections(source: Cluster | Engine, connections: list[Connection],
                     dataplane: str = "calico") -> ConnectionsView:
    """The verdicts for a list of `(src, dst, port[, protocol])`, ready to display.

    >>> from npkit.model import Cluster, Pod
    >>> view = show_connections(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),)), [("x/a", "8.8.8.8", 443)])
    >>> view.allowed
    (True,)
    """
    engine = as_engine(source, dataplane)
    return ConnectionsView([engine.verdict(*c) for c in connections])

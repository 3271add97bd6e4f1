"""`show_verdict`: one connection's verdict with its explanation, the twin of `show_matrix`.

Notebooks display it as the HTML explanation (tiers → policies → rules → checks); its
`text/plain` form is the `npkit explain` text, so nbval output stays stable.
"""

from __future__ import annotations

from ..engine import Engine, Verdict
from ..explain import render_verdict
from ..explain.html import render_verdict_html
from ..model import Cluster


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
                 dataplane: str = "calico", verbose: bool = True, **traffic) -> VerdictView:
    """Why `src` may or may not connect to `dst` (pod keys or addresses), ready to display.

    `traffic` passes HTTP or ICMP details on (`http_method="GET"`, `icmp_type=8`).

    >>> from npkit.model import Cluster, Pod
    >>> view = show_verdict(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))), "x/a", "x/b")
    >>> view.allowed, repr(view).splitlines()[0]
    (True, 'x/a → x/b  TCP/80: ALLOWED   [dataplane: calico]')
    """
    engine = source if isinstance(source, Engine) else Engine(source, dataplane)  # type: ignore[arg-type]
    return VerdictView(engine.verdict(src, dst, port, protocol, **traffic), verbose)

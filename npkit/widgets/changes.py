"""`show_changes`: which connections two sets of policies answer differently, ready to display.

The comparison is `npkit.diff.compare` (the one exercises grade with); this module only
shows it: an HTML table in a notebook, the `npkit diff` text elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..diff import Comparison, compare, comparison_html, render_comparison
from ..engine import Engine
from ..model import Cluster
from .show import as_engine

Probe = tuple[int | None, str]


class ChangesView:
    """A comparison that displays itself; `allowed_now` / `denied_now` list the changed connections.

    >>> from npkit.model import Cluster, Pod
    >>> c = Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2")))
    >>> ChangesView(compare(Engine(c), Engine(c), [(80, "TCP")])).equivalent
    True
    """

    def __init__(self, comparison: Comparison):
        self.comparison = comparison

    @property
    def equivalent(self) -> bool:
        return self.comparison.equivalent

    @property
    def allowed_now(self) -> tuple[str, ...]:
        """Connections denied before and allowed after, as labels like `x/a → x/b TCP/80`."""
        return tuple(c.label for c in self.comparison.newly_allowed)

    @property
    def denied_now(self) -> tuple[str, ...]:
        """Connections allowed before and denied after."""
        return tuple(c.label for c in self.comparison.newly_denied)

    def __repr__(self) -> str:
        return render_comparison(self.comparison, explain=False)

    def _repr_html_(self) -> str:
        return comparison_html(self.comparison)


def show_changes(before: Cluster | Engine, after: Cluster | Engine, probes: Sequence[Probe] = ((80, "TCP"),),
                 dataplane: str = "calico") -> ChangesView:
    """What changes from `before` to `after` (clusters or engines) on each (port, protocol).

    >>> from npkit.model import Cluster, Pod
    >>> c = Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))
    >>> print(show_changes(c, c))
    equivalent: all 1 connections get the same answer
    compared over 1 pod on port 80 (TCP)
    """
    return ChangesView(compare(as_engine(before, dataplane), as_engine(after, dataplane), probes))

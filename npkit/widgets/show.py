"""`show_matrix`: the one call a notebook needs to display a reachability matrix; `as_engine`, how
every widget takes "a cluster or an engine"."""

from __future__ import annotations

from ..engine import Engine
from ..matrix import Matrix, reachability
from ..model import Cluster
from .render import MatrixView


def as_engine(source: Cluster | Engine, dataplane: str) -> Engine:
    """`source` itself when it is an Engine, else an Engine for the cluster on `dataplane`."""
    return source if isinstance(source, Engine) else Engine(source, dataplane)  # type: ignore[arg-type]


def show_matrix(source: Cluster | Engine, port: int | None = 80, protocol: str = "TCP",
                before: Matrix | None = None, dataplane: str = "calico", caption: str | None = None) -> MatrixView:
    """The matrix of a cluster (or engine) for one port, ready to display; cells that differ from
    `before` are starred.

    >>> from npkit.model import Cluster, Pod
    >>> view = show_matrix(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "x", ip="10.0.0.2"))))
    >>> view.matrix["x/a", "x/b"]
    True
    """
    return MatrixView(reachability(as_engine(source, dataplane), port, protocol), before, caption)

"""The course's model clusters: namespaces and pods shared by every notebook and exercise.

The data lives in `npkit/data/course/` (`clusters.yaml` is the index; `default.yaml` says
which chapter section each namespace and pod serves). Focused clusters are views of
`default`, so `x/a` is the same pod everywhere.

>>> c = model_cluster("and-or")
>>> [p.key for p in sorted(c.pods, key=lambda p: p.key)][:3]
['default/web', 'monitoring/grafana', 'monitoring/prometheus']
>>> external("default")["external-db"].ip
'10.100.0.5'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources

import yaml

from ..i18n import messages, translate
from ..loading import load_string
from ..model import Cluster
from ..widgets.overview import ClusterOverview
from ..widgets.wording import listing

_ = messages("npkit-ui").gettext


@dataclass(frozen=True)
class Address:
    """An address outside the cluster that the course probes, and what it stands for."""

    name: str
    ip: str
    what: str


@dataclass(frozen=True)
class ClusterSpec:
    """One entry of clusters.yaml."""

    name: str
    title: str
    files: tuple[str, ...] = ()
    base: str | None = None
    pods: tuple[str, ...] = ()
    external: tuple[Address, ...] = field(default=())


def read_data(name: str) -> str:
    """The text of a file in npkit/data/course/."""
    return resources.files("npkit").joinpath("data").joinpath("course").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _index() -> dict[str, ClusterSpec]:
    raw = yaml.safe_load(read_data("clusters.yaml"))
    out = {}
    for name, entry in raw.items():
        addresses = tuple(Address(k, v["ip"], v["what"]) for k, v in (entry.get("external") or {}).items())
        out[name] = ClusterSpec(name, entry["title"], tuple(entry.get("files", ())), entry.get("from"),
                                tuple(entry.get("pods", ())), addresses)
    return out


def cluster_names() -> tuple[str, ...]:
    """The names `model_cluster` accepts."""
    return tuple(_index())


def spec(name: str) -> ClusterSpec:
    """The index entry for `name`; KeyError lists the names that exist."""
    try:
        return _index()[name]
    except KeyError:
        raise KeyError(_("no model cluster {name!r}; choose one of {names}").format(
            name=name, names=listing(cluster_names()))) from None


@cache
def model_cluster(name: str = "default") -> Cluster:
    """The named model cluster (namespaces and pods, no policies); cached, and immutable."""
    entry = spec(name)
    cluster = model_cluster(entry.base) if entry.base else Cluster()
    if entry.pods:
        missing = sorted(set(entry.pods) - {p.key for p in cluster.pods})
        if missing:
            raise ValueError(_("model cluster {name!r} names pods that {base!r} lacks: {pods}").format(
                name=name, base=entry.base, pods=listing(missing)))
        pods = tuple(p for p in cluster.pods if p.key in entry.pods)
        keep = {p.namespace for p in pods}
        cluster = Cluster(namespaces={n: ns for n, ns in cluster.namespaces.items() if n in keep}, pods=pods)
    for file in entry.files:
        cluster = cluster.merged(load_string(read_data(file), filename=file))
    return cluster


def external(name: str = "default") -> dict[str, Address]:
    """The outside addresses a model cluster's notebooks probe, by name (falls back to its base)."""
    entry = spec(name)
    if not entry.external and entry.base:
        return external(entry.base)
    return {a.name: a for a in entry.external}


def overview(name: str = "default") -> ClusterOverview:
    """The model cluster's namespaces, pods (labels, IPs, ports) and outside addresses, for display."""
    # What each address stands for is course data (clusters.yaml), translated in the npkit-ui catalog.
    return ClusterOverview(model_cluster(name), [(a.name, a.ip, translate("npkit-ui", a.what))
                                                 for a in external(name).values()])

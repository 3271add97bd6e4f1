"""Every connection the policies allow, between pods (or workloads) and address ranges, over all traffic.

The engine answers one kind of traffic at a time for every pair at once (`Engine.reachability`).
Traffic classes (classes.py) that no rule tells apart give the same matrix, so each matrix is
asked for once per *signature*: what every traffic-dependent condition of the program says about
the class. Each pair's answers over the signatures are kept as the bits of one small integer, the
pair's *code*; every distinct code is turned into text once.

Addresses outside the cluster are asked about as stand-in endpoints: one host-network pod per
address range, holding an address of the range that no pod has. The engine treats an endpoint
without a workload endpoint exactly as an address outside the cluster (no selector matches it, no
policy protects it, address blocks do); the property test checks these answers against
`Engine.verdict` for real outside addresses.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from ..engine import Engine
from ..engine.vector import lane_dtype
from ..i18n import messages
from ..model import Pod
from .classes import TrafficClass, traffic_classes
from .connset import describe
from .ranges import AddressRange, address_ranges

_ = messages("npkit").gettext

EXTERNAL = "External"
Progress = Callable[[int, int], object]  # (kinds of traffic done, kinds in all), for long lists
GROUPS = ("workloads", "pods")
CHUNK = 8  # kinds of traffic the engine answers in one pass (one byte per pair: see _codes)
_OUTSIDE_NS = "(outside)"  # not a valid namespace name, so no real pod can share it


@dataclass(frozen=True)
class Entity:
    """One end of a listed connection: a workload, a pod or an address range."""

    name: str  # "ns/web[Deployment]", "ns/web" (pods) or "0.0.0.0-9.255.255.255[External]"
    kind: str  # Pod, Deployment, ... or External
    namespace: str = ""  # "" for address ranges
    short: str = ""  # the name inside its namespace (graph labels)

    @property
    def external(self) -> bool:
        return self.kind == EXTERNAL


def pod_entity(pod: Pod, group: str) -> Entity:
    """`ns/name[Kind]` for the workload a pod stands for (a bare pod is `[Pod]`), or `ns/name` per pod."""
    ref = pod.workload
    kind, name = (ref.kind, ref.name) if ref is not None else ("Pod", pod.name)
    if group == "pods":
        return Entity(pod.key, "Pod", pod.namespace, f"{pod.name}[Pod]")
    return Entity(f"{pod.namespace}/{name}[{kind}]", kind, pod.namespace, f"{name}[{kind}]")


def _entities(pods: Sequence[Pod], rows: Sequence[int], group: str) -> tuple[list[Entity], list[list[int]]]:
    """The entities the pods make up (a workload's pods are one), each with its pods' rows."""
    named: dict[str, tuple[Entity, list[int]]] = {}
    for pod, row in zip(pods, rows, strict=True):
        e = pod_entity(pod, group)
        named.setdefault(e.name, (e, []))[1].append(row)
    return [e for e, _ in named.values()], [r for _, r in named.values()]


def _union(codes: np.ndarray, groups: list[list[int]]) -> np.ndarray:
    """codes with the rows and columns of each group ORed into one: what any member allows."""
    order = np.array([r for g in groups for r in g], dtype=np.int64)
    starts = np.cumsum([0] + [len(g) for g in groups[:-1]])
    rows = np.bitwise_or.reduceat(codes[order], starts, axis=0)
    return np.bitwise_or.reduceat(rows[:, order], starts, axis=1)


def _signature_groups(engine: Engine, classes: Sequence[TrafficClass]) -> list[list[int]]:
    """Class indices grouped by what every traffic-dependent condition of the program says about them."""
    # Each distinct condition once (equal conditions answer alike; policies repeat their ports).
    criteria = list(dict.fromkeys(c for p in engine.program.policies for r in p.ingress + p.egress
                                  for c in r.criteria if c.reads_traffic))
    groups: dict[tuple[bytes | bool, ...], list[int]] = {}
    for k, cls in enumerate(classes):
        answers: list[bytes | bool] = []
        for c in criteria:
            m = c.mask(cls.traffic, engine.universe)
            answers.append(m.tobytes() if isinstance(m, np.ndarray) else bool(m))
        groups.setdefault(tuple(answers), []).append(k)
    return list(groups.values())


def _merge_ranges(ranges: list[AddressRange], keys: list[bytes]) -> list[tuple[AddressRange, int]]:
    """Neighbouring ranges whose connections are the same everywhere, joined; each with its first index."""
    out: list[tuple[AddressRange, int]] = []
    for i, (r, key) in enumerate(zip(ranges, keys, strict=True)):
        if out:
            last, j = out[-1]
            touching = last.last.version == r.first.version and int(last.last) + 1 == int(r.first)
            if touching and keys[j] == key:
                out[-1] = (replace(last, last=r.last), j)
                continue
        out.append((r, i))
    return out


class ConnList:
    """The allowed connections of a cluster: every pair of entities, over every traffic class.

    Rows are sources, columns destinations, each in name order; `code(i)` gives row i's codes
    (0: nothing allowed) and `text(code)` a code's connection set.
    """

    def __init__(self, engine: Engine, group: str = "workloads", progress: Progress | None = None):
        if group not in GROUPS:
            raise ValueError(_("group must be one of {groups}, not {group}").format(groups=", ".join(GROUPS),
                                                                                  group=repr(group)))
        self.group = group
        self.classes = traffic_classes(engine)
        pods = engine.universe.pods
        ranges = address_ranges(engine.criteria.cidrs, (p.ip for p in pods))
        self.engine = self._with_outside(engine, ranges)
        self.groups = _signature_groups(self.engine, self.classes)
        self.codes = self._codes(progress)
        index_of = self.engine.universe.index_of
        pod_rows = [index_of[p.key] for p in pods]
        outside_rows = [index_of[f"{_OUTSIDE_NS}/{i}"] for i in range(len(ranges))]
        entities, members = _entities(pods, pod_rows, group)
        if len(entities) < len(pods):  # a workload of several pods: one row and column for all of them
            self.codes = _union(self.codes, members + [[r] for r in outside_rows])
            pod_rows, outside_rows = list(range(len(entities))), list(range(len(entities), len(self.codes)))
        self._pod_rows = np.array(pod_rows, dtype=np.int64)
        outside = np.array(outside_rows, dtype=np.int64)
        src_ranges = _merge_ranges(ranges, [self.codes[o, self._pod_rows].tobytes() for o in outside])
        dst_ranges = _merge_ranges(ranges, [self.codes[self._pod_rows, o].tobytes() for o in outside])
        self.sources, self._src_rows = self._order(entities, self._pod_rows, src_ranges, outside)
        self.destinations, self._dst_cols = self._order(entities, self._pod_rows, dst_ranges, outside)
        self._src_external = np.array([e.external for e in self.sources], dtype=bool)
        self._dst_external = np.array([e.external for e in self.destinations], dtype=bool)
        self._texts: dict[int, str] = {0: describe(self.classes, ())}
        self._focus: tuple[np.ndarray, np.ndarray] | None = None

    @staticmethod
    def _with_outside(engine: Engine, ranges: list[AddressRange]) -> Engine:
        """The engine again, with a stand-in endpoint per address range (see the module docstring)."""
        if not ranges:
            return engine
        return engine.with_pods(Pod(str(i), _OUTSIDE_NS, ip=r.probe, host_network=True) for i, r in enumerate(ranges))

    def _codes(self, progress: Progress | None) -> np.ndarray:
        """codes[src, dst] over the extended universe: bit g set when signature group g is allowed.

        The engine answers up to CHUNK groups in one pass (a bit each); more than that, chunk by chunk,
        so that its work matrices stay one byte per pair.
        """
        n, total = self.engine.universe.size, len(self.groups)
        traffics = [self.classes[members[0]].traffic for members in self.groups]
        if total <= CHUNK:
            if progress is not None:
                progress(total - 1, total)
            return self.engine.reachability_lanes(traffics)
        codes = np.zeros((n, n), dtype=lane_dtype(total))  # a bit per group: at most 64 of them
        for first in range(0, total, CHUNK):
            if progress is not None:
                progress(min(first + CHUNK, total) - 1, total)
            part = self.engine.reachability_lanes(traffics[first:first + CHUNK])
            codes |= part.astype(codes.dtype) << codes.dtype.type(first)
            del part  # one chunk at a time: memory stays at the codes plus the engine's work
        return codes

    @staticmethod
    def _order(entities: list[Entity], rows: np.ndarray, ranges: list[tuple[AddressRange, int]],
               outside: np.ndarray) -> tuple[list[Entity], np.ndarray]:
        named = [(e, int(r)) for e, r in zip(entities, rows, strict=True)]
        named += [(Entity(f"{r.name}[{EXTERNAL}]", EXTERNAL), int(outside[i])) for r, i in ranges]
        named.sort(key=lambda item: item[0].name)  # netpol-analyzer sorts by the names as text
        return [e for e, _ in named], np.array([r for _, r in named], dtype=np.int64)

    # -- focus ----------------------------------------------------------------------------------
    def entity_names(self) -> list[str]:
        """The names of the workloads (or pods), in name order."""
        return [e.name for e in self.sources if not e.external]

    def focus_on(self, wanted: Sequence[str]) -> list[str]:
        """Keep only connections from or to the entities named (by full name, NS/NAME or NAME).

        Returns the names that matched nothing (and focuses on the others).
        """
        missing = [w for w in wanted if not any(_matches(e, w) for e in self.sources)]
        src = np.array([any(_matches(e, w) for w in wanted) for e in self.sources], dtype=bool)
        dst = np.array([any(_matches(e, w) for w in wanted) for e in self.destinations], dtype=bool)
        self._focus = (src, dst)
        return missing

    # -- reading ---------------------------------------------------------------------------------
    def text(self, code: int) -> str:
        """The connection set of a code, e.g. `TCP 80,UDP 53` or `All Connections`."""
        code = int(code)
        if code not in self._texts:
            allowed = [k for g, members in enumerate(self.groups) if code >> g & 1 for k in members]
            self._texts[code] = describe(self.classes, allowed)
        return self._texts[code]

    def row(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """(destination indices, codes) of everything source `i` may connect to, in destination order."""
        codes = self.codes[self._src_rows[i], self._dst_cols]
        keep = codes != 0
        if self._src_external[i]:
            keep &= ~self._dst_external  # nothing is said about two outside addresses
        if self._focus is not None and not self._focus[0][i]:
            keep &= self._focus[1]
        name = self.sources[i].name
        same = self._dst_index.get(name)
        if same is not None:
            keep[same] = False  # an entity's own traffic is not listed
        cols = np.flatnonzero(keep)
        return cols, codes[cols]

    @cached_property
    def _dst_index(self) -> dict[str, int]:
        return {e.name: j for j, e in enumerate(self.destinations)}

    def pairs(self) -> Iterator[tuple[Entity, Entity, str]]:
        """(source, destination, connection set) for every allowed pair, sorted by source then destination."""
        for i, src in enumerate(self.sources):
            cols, codes = self.row(i)
            for j, code in zip(cols.tolist(), codes.tolist(), strict=True):
                yield src, self.destinations[j], self.text(code)

    def connections(self, src: str, dst: str) -> str:
        """The connection set from entity `src` to entity `dst` (by name)."""
        i = next(k for k, e in enumerate(self.sources) if e.name == src)
        j = self._dst_index[dst]
        return self.text(self.codes[self._src_rows[i], self._dst_cols[j]])


def _matches(e: Entity, wanted: str) -> bool:
    """`ns/web[Deployment]` answers to itself, to `ns/web` and to `web`, as netpol-analyzer's focus does."""
    if e.external:
        return e.name == wanted
    bare = e.short.rsplit("[", 1)[0]
    return wanted in (e.name, f"{e.namespace}/{bare}", bare)


def connlist(engine: Engine, group: str = "workloads", progress: Progress | None = None) -> ConnList:
    """Every connection `engine`'s policies allow, over all protocols and ports.

    >>> from npkit.model import Cluster, NetworkPolicy, Pod, Rule, PolicyPort, LabelSelector
    >>> pods = (Pod("web", "x", {"app": "web"}, ip="10.0.0.1"), Pod("db", "x", {"app": "db"}, ip="10.0.0.2"))
    >>> rule = Rule(ports=(PolicyPort("TCP", 80),))
    >>> only_80 = NetworkPolicy("db", "x", LabelSelector.of({"app": "db"}), ingress=(rule,))
    >>> c = connlist(Engine(Cluster(pods=pods, network_policies=(only_80,))))
    >>> c.connections("x/web[Pod]", "x/db[Pod]"), c.connections("x/db[Pod]", "x/web[Pod]")
    ('TCP 80', 'All Connections')
    """
    return ConnList(engine, group, progress)

"""Semantic comparison: which connections two sets of policies answer differently.

Grading exercises and `npkit diff` both ask this; neither looks at YAML text, only at the
verdicts the engine gives over the same pods.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from ..engine import Engine, Verdict, protocol_name
from ..i18n import messages

_ = messages("npkit").gettext
ngettext = messages("npkit").ngettext
Connection = tuple[str, str, "int | None", str]  # (src, dst, port, protocol); ends are pods or addresses


@dataclass(frozen=True)
class Change:
    """One connection answered differently: `before` and `after` are the two verdicts."""

    src: str
    dst: str
    port: int | None
    protocol: str
    before: bool
    after: bool

    @property
    def label(self) -> str:
        where = f"{self.protocol}/{self.port}" if self.port is not None else self.protocol
        return f"{self.src} → {self.dst} {where}"


@dataclass(frozen=True, eq=False)
class Comparison:
    """Every change between two engines over the pods both know, for the probed ports."""

    old: Engine
    new: Engine
    changes: tuple[Change, ...]
    probes: tuple[tuple[int | None, str], ...]
    pods: tuple[str, ...]
    connections: tuple[Connection, ...] = ()  # single connections compared besides the matrices

    @property
    def compared(self) -> int:
        """How many connections were compared."""
        return len(self.pods) ** 2 * len(self.probes) + len(self.connections)

    @property
    def newly_allowed(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.after and not c.before)

    @property
    def newly_denied(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.before and not c.after)

    @property
    def equivalent(self) -> bool:
        return not self.changes

    def summary(self) -> str:
        """One line: how many connections changed each way, over how many were compared."""
        total = self.compared
        if self.equivalent:
            return ngettext("equivalent: all {n} connections get the same answer",
                            "equivalent: all {n} connections get the same answer", total).format(n=total)
        return ngettext("{allowed} newly allowed, {denied} newly denied (of {n} connections compared)",
                        "{allowed} newly allowed, {denied} newly denied (of {n} connections compared)", total).format(
            allowed=len(self.newly_allowed), denied=len(self.newly_denied), n=total)

    def verdicts(self, change: Change) -> tuple[Verdict, Verdict]:
        """The explanations behind one change, old then new."""
        old, new = (e.verdict(change.src, change.dst, change.port, change.protocol) for e in (self.old, self.new))
        return old, new


def compare(old: Engine, new: Engine, probes: Sequence[tuple[int | None, str]],
            connections: Sequence[Connection] = ()) -> Comparison:
    """Compare two engines cell by cell over their common pods for each (port, protocol).

    `connections` adds single connections the matrices do not hold, typically to or from an
    address outside the cluster (`("default/backend", "10.100.0.5", 5432, "TCP")`).
    """
    new_index = new.universe.index_of
    oi = np.array([i for i, p in enumerate(old.pods) if p in new_index], dtype=np.int64)
    common = tuple(old.pods[i] for i in oi)
    ni = np.array([new_index[p] for p in common], dtype=np.int64)
    changes = []
    probes = tuple((port, protocol_name(proto)) for port, proto in probes)
    for port, proto in probes:
        a = old.reachability(port, proto)[np.ix_(oi, oi)]
        b = new.reachability(port, proto)[np.ix_(ni, ni)]
        for i, j in zip(*np.nonzero(a != b), strict=True):
            changes.append(Change(common[i], common[j], port, proto, bool(a[i, j]), bool(b[i, j])))
    for src, dst, port, proto in connections:
        before, after = (e.allowed(src, dst, port, proto) for e in (old, new))
        if before != after:
            changes.append(Change(src, dst, port, protocol_name(proto), before, after))
    return Comparison(old, new, tuple(changes), probes, common, tuple(connections))

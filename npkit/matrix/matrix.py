"""Reachability matrices: which pod may open a new connection to which, for one port and protocol."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import Engine, protocol_name


@dataclass(frozen=True, eq=False)
class Matrix:
    """allowed[i, j]: pods[i] may connect to pods[j] on `protocol`/`port`."""

    pods: tuple[str, ...]
    port: int | None
    protocol: str
    allowed: np.ndarray

    def __getitem__(self, pair: tuple[str, str]) -> bool:
        src, dst = pair
        return bool(self.allowed[self.pods.index(src), self.pods.index(dst)])

    @property
    def label(self) -> str:
        return f"{self.protocol}/{self.port}" if self.port is not None else self.protocol

    def to_json(self) -> dict[str, Any]:
        """`{"port", "protocol", "pods", "allowed": {src: {dst: bool}}}` — the conformance shape."""
        return {
            "port": self.port,
            "protocol": self.protocol,
            "pods": list(self.pods),
            "allowed": {
                s: {d: bool(self.allowed[i, j]) for j, d in enumerate(self.pods)} for i, s in enumerate(self.pods)
            },
        }

    def pairs(self, allowed: bool = True) -> list[tuple[str, str]]:
        """The (src, dst) pairs with the given answer, row by row."""
        rows, cols = np.nonzero(self.allowed == allowed)
        return [(self.pods[i], self.pods[j]) for i, j in zip(rows, cols, strict=True)]

    def flipped(self, before: Matrix | None) -> np.ndarray:
        """Cells whose answer differs from `before` (same pods); all False without a `before`."""
        if before is None or before.pods != self.pods:
            return np.zeros_like(self.allowed)
        changed: np.ndarray = self.allowed != before.allowed
        return changed

    def differences(self, other: Matrix) -> list[tuple[str, str, bool, bool]]:
        """(src, dst, mine, theirs) for every pod pair both know where the answers differ."""
        common = [p for p in self.pods if p in other.pods]
        out = []
        for s in common:
            for d in common:
                a, b = self[s, d], other[s, d]
                if a != b:
                    out.append((s, d, a, b))
        return out


def reachability(engine: Engine, port: int | None = 80, protocol: str = "TCP") -> Matrix:
    """The matrix for one port and protocol.

    >>> from npkit.model import Cluster, Pod
    >>> m = reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))), 80)
    >>> m.to_json()["allowed"]
    {'x/a': {'x/a': True}}
    """
    allowed = engine.reachability(port, protocol)
    allowed.flags.writeable = False
    return Matrix(engine.pods, port, protocol_name(protocol), allowed)


def reachability_many(engine: Engine, probes: list[tuple[int | None, str]]) -> list[Matrix]:
    """One matrix per (port, protocol)."""
    return [reachability(engine, port, protocol) for port, protocol in probes]

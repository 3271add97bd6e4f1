"""The diagram beside a matrix: where namespaces (boxes) and pods (nodes) go, and which arrows
to draw. Pure layout from a Matrix; the browser draws it as SVG (js/src/diagram.js).

>>> from npkit.engine import Engine
>>> from npkit.matrix import reachability
>>> from npkit.model import Cluster, Pod
>>> m = reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"), Pod("b", "y", ip="10.0.0.2")))), 80)
>>> d = diagram(m)
>>> [b["ns"] for b in d["boxes"]], [(e["s"], e["t"], e["allowed"]) for e in d["edges"]]
(['x', 'y'], [(0, 1, True), (1, 0, True)])
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ..matrix import Matrix
from .render import namespace_groups

MAX_PODS = 25  # beyond this a diagram is a hairball; the matrix says it all
WIDTH = 460
GAP = 10
NODE_DX, NODE_DY = 58, 48
RADIUS = 8


def _label(name: str, limit: int = 10) -> str:
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _boxes(pods: tuple[str, ...]) -> tuple[list[dict[str, Any]], list[dict[str, Any]], int]:
    groups = namespace_groups(pods)
    columns = max(1, min(len(groups), 3))
    box_w = (WIDTH - GAP * (columns + 1)) // columns
    per_row = max(1, (box_w - 12) // NODE_DX)
    boxes: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = [{} for _ in pods]
    y = GAP
    for start in range(0, len(groups), columns):
        row = groups[start:start + columns]
        heights = [22 + math.ceil(len(m) / per_row) * NODE_DY + 4 for _, m in row]
        for k, (ns, members) in enumerate(row):
            x = GAP + k * (box_w + GAP)
            boxes.append({"ns": ns, "label": _label(ns, max(4, box_w // 7)), "x": x, "y": y, "w": box_w,
                          "h": max(heights)})
            used = min(per_row, len(members))
            left = x + (box_w - used * NODE_DX) / 2 + NODE_DX / 2
            for n, i in enumerate(members):
                nodes[i] = {"pod": pods[i], "label": _label(pods[i].split("/", 1)[1]),
                            "x": round(left + (n % per_row) * NODE_DX, 1),
                            "y": round(y + 22 + RADIUS + 4 + (n // per_row) * NODE_DY, 1)}
        y += max(heights) + GAP
    return boxes, nodes, y


def diagram(matrix: Matrix, flipped: np.ndarray | None = None) -> dict[str, Any] | None:
    """The layout and arrows for `matrix` (None above MAX_PODS pods): every ordered pair of
    different pods is an edge, `allowed` or not, `flipped` when it changed with the last edit."""
    pods = matrix.pods
    if not pods or len(pods) > MAX_PODS:
        return None
    boxes, nodes, height = _boxes(pods)
    flips = flipped if flipped is not None else np.zeros_like(matrix.allowed)
    allowed = matrix.allowed
    n = len(pods)
    edges = [{"s": i, "t": j, "allowed": bool(allowed[i, j]), "flipped": bool(flips[i, j])}
             for i in range(n) for j in range(n) if i != j]
    return {"width": WIDTH, "height": height, "radius": RADIUS, "boxes": boxes, "nodes": nodes, "edges": edges}

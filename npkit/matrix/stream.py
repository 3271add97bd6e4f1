"""Matrices as JSON, written row by row: 5,000 pods make 25 million cells, which must never be one string.

The document is the one `json.dumps(..., indent=2)` writes for `Matrix.to_json()` (one matrix) or
`{"probes": [...]}` (several), with any extra keys after `allowed`; `rows` and `cols` keep only
some sources and destinations (`npkit matrix --from/--to`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from .matrix import Matrix

Write = Callable[[str], object]


def _cells(matrix: Matrix, rows: Sequence[int], cols: Sequence[int], pad: str) -> Callable[[int], str]:
    """A function writing row i's `"dst": true, ...` lines, built from per-column strings once."""
    names = [json.dumps(matrix.pods[j]) for j in cols]
    yes = np.array([f'{pad}{n}: true' for n in names], dtype=object)
    no = np.array([f'{pad}{n}: false' for n in names], dtype=object)
    picked = np.asarray(cols, dtype=np.int64)

    def row(i: int) -> str:
        return ",\n".join(np.where(matrix.allowed[i, picked], yes, no).tolist())
    return row


def _write_one(matrix: Matrix, write: Write, extra: Mapping[str, object], indent: str,
               rows: Sequence[int], cols: Sequence[int]) -> None:
    inner = indent + "  "
    head = {"port": matrix.port, "protocol": matrix.protocol, "pods": list(matrix.pods)}
    write("{\n" + "".join(f"{inner}{json.dumps(k)}: {_dumps(v, inner)},\n" for k, v in head.items()))
    write(f'{inner}"allowed": {{' if rows else f'{inner}"allowed": {{}}')
    cells = _cells(matrix, rows, cols, inner + "    ")
    for n, i in enumerate(rows):
        body = cells(i)
        opened = "{\n" + body + f"\n{inner}  }}" if body else "{}"
        write(("\n" if n == 0 else ",\n") + f"{inner}  {json.dumps(matrix.pods[i])}: {opened}")
    if rows:
        write(f"\n{inner}}}")
    for k, v in extra.items():
        write(f",\n{inner}{json.dumps(k)}: {_dumps(v, inner)}")
    write(f"\n{indent}}}")


def _dumps(value: object, indent: str) -> str:
    """json.dumps with indent=2, nested at `indent`."""
    return json.dumps(value, indent=2).replace("\n", "\n" + indent)


def write_json(matrices: Sequence[Matrix], write: Write, extra: Mapping[str, object] | None = None,
               rows: Sequence[int] | None = None, cols: Sequence[int] | None = None) -> None:
    """One matrix as its document, several as `{"probes": [...]}`; `extra` keys are added to each.

    >>> from npkit.model import Cluster, Pod
    >>> from npkit.engine import Engine
    >>> from npkit.matrix import reachability
    >>> m = reachability(Engine(Cluster(pods=(Pod("a", "x", ip="10.0.0.1"),))), 80)
    >>> out = []; write_json([m], out.append, {"dataplane": "calico"})
    >>> json.loads("".join(out)) == {**m.to_json(), "dataplane": "calico"}
    True
    """
    extra = extra or {}
    everyone = range(len(matrices[0].pods)) if matrices else range(0)
    rows = everyone if rows is None else rows
    cols = everyone if cols is None else cols
    if len(matrices) == 1:
        _write_one(matrices[0], write, extra, "", rows, cols)
        write("\n")
        return
    write('{\n  "probes": [')
    for n, m in enumerate(matrices):
        write(("\n" if n == 0 else ",\n") + "    ")
        _write_one(m, write, extra, "    ", rows, cols)
    write("\n  ]\n}\n" if matrices else "]\n}\n")

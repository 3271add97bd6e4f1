"""Writing a connection list: txt, csv, md, json and dot, as np-guard's netpol-analyzer writes them.

- txt: `src => dst : conn`, one line per pair, sorted by source then destination.
- csv: a `src,dst,conn` header, then one row per pair (fields with commas quoted).
- md: a `| src | dst | conn |` table.
- json: `[{"src": ..., "dst": ..., "conn": ...}, ...]`, indented by two spaces.
- dot: a Graphviz digraph: a cluster per namespace, address ranges outside them, an edge per pair
  labelled with its connections.

`compact` groups instead of listing pairs: every source whose list of (destinations, connection
set) is the same shares a line, `a[Pod], b[Pod] => c[Pod], d[Pod] : TCP 80`; in json `src` and
`dst` become lists. Everything is written row by row through `write`, so a large cluster's list
never has to fit in memory as one text.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator

import numpy as np

from .compute import ConnList

Write = Callable[[str], object]
FORMATS = ("txt", "csv", "md", "json", "dot")


def _distinct(values: np.ndarray) -> list[int]:
    """The distinct values of a row's codes, ascending.

    Not np.unique: without options, numpy 2 imports numpy.ma for it the first time (~10 ms).
    """
    return sorted(set(values.tolist()))


class _Texts:
    """The connection text of each code, looked up for a whole row at once (object arrays, no Python loop).

    Codes of up to 16 bits index a table of every code; each code's text is made when first met.
    """

    def __init__(self, cl: ConnList, suffix: str = ""):
        self.cl, self.suffix = cl, suffix
        bits = cl.codes.dtype.itemsize * 8
        self.table: np.ndarray | None = np.empty(2**bits, dtype=object) if bits <= 16 else None
        self.known: np.ndarray | None = np.zeros(2**bits, dtype=bool) if bits <= 16 else None

    def of(self, codes: np.ndarray) -> np.ndarray:
        """The texts (each followed by `suffix`) of `codes`, as an object array."""
        if self.table is None or self.known is None:
            unique, inverse = np.unique(codes, return_inverse=True)
            return np.array([self.cl.text(c) + self.suffix for c in unique.tolist()], dtype=object)[inverse]
        new = codes[~self.known[codes]]
        if len(new):
            for code in _distinct(new):
                self.table[code] = self.cl.text(code) + self.suffix
            self.known[new] = True
        texts: np.ndarray = self.table[codes]
        return texts


class _Lines:
    """The line after `src => ` for each (destination, code) cell: `dst : connections` and a newline.

    Each code's lines for every destination are made the first time a row has that code, as one row
    of a grid (codes × destinations), so that a row's lines are gathered from the grid at once (most
    clusters have a few dozen codes). Codes wider than 16 bits, or past MAX_CODES of them, have their
    lines made as their rows need them.
    """

    MAX_CODES = 64

    def __init__(self, cl: ConnList):
        self.cl = cl
        self.dsts = np.array([f"{e.name} : " for e in cl.destinations], dtype=object)
        self.texts: dict[int, str] = {}
        bits = cl.codes.dtype.itemsize * 8
        self.slot: np.ndarray | None = np.full(2**bits, -1, dtype=np.int64) if bits <= 16 else None
        self.grid = np.empty((0, len(self.dsts)), dtype=object)

    def _text(self, code: int) -> str:
        text = self.texts.get(code)
        if text is None:
            text = self.texts[code] = self.cl.text(code) + "\n"
        return text

    def _add(self, codes: np.ndarray) -> bool:
        """Give each new code among `codes` its row of the grid; False when there is no room."""
        assert self.slot is not None
        new = _distinct(codes)
        if len(self.grid) + len(new) > self.MAX_CODES:
            return False
        rows = [self.dsts + self._text(code) for code in new]
        self.slot[new] = np.arange(len(self.grid), len(self.grid) + len(new))
        self.grid = np.vstack([self.grid, *[row[None, :] for row in rows]])
        return True

    def of(self, cols: np.ndarray, codes: np.ndarray) -> list[str]:
        """The lines of one row: destination indices `cols` with their `codes`."""
        if self.slot is not None:
            slots = self.slot[codes]
            missing = slots < 0
            if not missing.any():
                return self.grid[slots, cols].tolist()
            if self._add(codes[missing]):
                return self.grid[self.slot[codes], cols].tolist()
        out = np.empty(len(cols), dtype=object)
        for code in _distinct(codes):
            chosen = codes == code
            out[chosen] = self.dsts[cols[chosen]] + self._text(code)
        return out.tolist()


def _rows(cl: ConnList, suffix: str = "") -> Iterator[tuple[str, np.ndarray, np.ndarray]]:
    """(source name, destination names, connection texts + `suffix`) for every source with something allowed."""
    names = np.array([e.name for e in cl.destinations], dtype=object)
    texts = _Texts(cl, suffix)
    for i, src in enumerate(cl.sources):
        cols, codes = cl.row(i)
        if len(cols):
            yield src.name, names[cols], texts.of(codes)


def _groups(cl: ConnList) -> Iterator[tuple[list[str], list[str], str]]:
    """(sources, destinations, connection text): sources sharing a (destinations, connections) line."""
    lines: dict[tuple[int, bytes], tuple[np.ndarray, list[int]]] = {}
    for i in range(len(cl.sources)):
        cols, codes = cl.row(i)
        if not len(cols):
            continue
        first = int(codes[0])
        if (codes == first).all():  # the usual row: one connection set for all its destinations
            lines.setdefault((first, cols.tobytes()), (cols, []))[1].append(i)
            continue
        for code in _distinct(codes):
            chosen = cols[codes == code]
            lines.setdefault((code, chosen.tobytes()), (chosen, []))[1].append(i)  # sorted indices: one key
    names = np.array([e.name for e in cl.destinations], dtype=object)
    for (code, _), (chosen, sources) in lines.items():
        yield [cl.sources[i].name for i in sources], names[chosen].tolist(), cl.text(code)


def write_txt(cl: ConnList, write: Write, compact: bool = False) -> None:
    if compact:
        for sources, targets, text in _groups(cl):
            write(f"{', '.join(sources)} => {', '.join(targets)} : {text}\n")
        return
    # A row's lines are "src => " joined to the rest of each line, made once per destination and code
    # (_Lines): about 20 ns a line, and a 1,000-pod cluster has half a million of them.
    lines = _Lines(cl)
    for i, src in enumerate(cl.sources):
        cols, codes = cl.row(i)
        if len(cols):
            prefix = f"{src.name} => "
            write(prefix)
            write(prefix.join(lines.of(cols, codes)))


def write_csv(cl: ConnList, write: Write, compact: bool = False) -> None:
    class _Sink:  # csv.writer wants an object with write()
        def write(self, text: str) -> object:
            return write(text)

    out = csv.writer(_Sink(), lineterminator="\n")
    out.writerow(["src", "dst", "conn"])
    if compact:
        out.writerows((", ".join(s), ", ".join(d), t) for s, d, t in _groups(cl))
        return
    for src, dsts, texts in _rows(cl):
        out.writerows(zip([src] * len(texts), dsts.tolist(), texts.tolist(), strict=True))


def write_md(cl: ConnList, write: Write, compact: bool = False) -> None:
    write("| src | dst | conn |\n|-----|-----|------|\n")
    if compact:
        for sources, targets, text in _groups(cl):
            write(f"| {', '.join(sources)} | {', '.join(targets)} | {text} |\n")
        return
    for src, dsts, texts in _rows(cl):
        write("".join(f"| {src} | {d} | {t} |\n" for d, t in zip(dsts.tolist(), texts.tolist(), strict=True)))


def _json_item(src: object, dst: object, conn: str, compact: bool) -> str:
    if compact:
        return "  " + json.dumps({"src": src, "dst": dst, "conn": conn})
    return (f'  {{\n    "src": {json.dumps(src)},\n    "dst": {json.dumps(dst)},\n'
            f'    "conn": {json.dumps(conn)}\n  }}')


def write_json(cl: ConnList, write: Write, compact: bool = False) -> None:
    items: Iterator[tuple[object, object, str]]
    if compact:
        items = ((s, d, t) for s, d, t in _groups(cl))
    else:
        items = ((src, d, t) for src, dsts, texts in _rows(cl)
                 for d, t in zip(dsts.tolist(), texts.tolist(), strict=True))
    first = True
    for src, dst, conn in items:
        write(("[\n" if first else ",\n") + _json_item(src, dst, conn, compact))
        first = False
    write("[]\n" if first else "\n]\n")


def _dot_node(name: str, label: str, color: str) -> str:
    return f"\t{json.dumps(name)} [label={json.dumps(label)} color={json.dumps(color)} fontcolor={json.dumps(color)}]"


def write_dot(cl: ConnList, write: Write, compact: bool = False) -> None:
    """The graph netpol-analyzer draws: namespaces as clusters, address ranges in red, gold edges."""
    edges: list[str] = []
    used: set[str] = set()
    for src, dsts, texts in _rows(cl):
        for dst, text in zip(dsts.tolist(), texts.tolist(), strict=True):
            weight = "0.5" if src <= dst else "1"  # netpol-analyzer's layout hint
            edges.append(f"\t{json.dumps(src)} -> {json.dumps(dst)} [label={json.dumps(text)} "
                         f'color="gold2" fontcolor="darkgreen" weight={weight}]')
            used.update((src, dst))
    namespaces: dict[str, list[str]] = {}
    outside = []
    for e in {e.name: e for e in cl.sources + cl.destinations}.values():
        if e.external:
            if e.name in used:
                outside.append(_dot_node(e.name, e.name, "red2"))
        else:
            namespaces.setdefault(e.namespace, []).append("\t" + _dot_node(e.name, e.short, "blue"))
    write("digraph {\n")
    for ns in sorted(namespaces):
        label = f"{ns}[namespace]"
        write(f'\tsubgraph "cluster_{label.replace("-", "_")}" {{\n\t\tcolor="black"\n\t\tfontcolor="black"\n')
        write("".join(line + "\n" for line in sorted(namespaces[ns])))
        write(f'\t\tlabel="{label}"\n\t}}\n')
    write("".join(line + "\n" for line in sorted(outside) + sorted(edges)))
    write("}\n")


WRITERS: dict[str, Callable[[ConnList, Write, bool], None]] = {
    "txt": write_txt, "csv": write_csv, "md": write_md, "json": write_json, "dot": write_dot,
}


def render(cl: ConnList, fmt: str = "txt", compact: bool = False) -> str:
    """The whole list as one text (for notebooks and tests; the CLI streams with WRITERS)."""
    parts: list[str] = []
    WRITERS[fmt](cl, parts.append, compact)
    return "".join(parts)

"""Build the course's notebooks and labs from their jupytext percent sources, or check them.

    notebooks/src/NN-name.py   → notebooks/NN-name.ipynb
    labs/src/lab-NN-name.py    → labs/lab-NN-name.ipynb

jupytext reads the sources (cell markers, cell metadata such as `tags` or `jupyter`); this
script only makes the result reproducible: outputs empty, cell ids derived from the file
name and position, jupytext's own bookkeeping metadata dropped, the python3 kernel. So
building an unchanged source gives a byte-identical notebook, and `--check` can fail CI on
a notebook that was edited by hand or not rebuilt.

One convention: a code cell tagged `check` (`# %% tags=["check"]`) holds facts asserted for
CI. It is built with its input hidden (JupyterLab shows a collapsed bar), so the learner is
not handed the answers; nbval runs it like any other cell.

    .venv/bin/python tools/notebooks.py                 # build every notebook (`make notebooks`)
    .venv/bin/python tools/notebooks.py labs/src/lab-01-default-deny.py
    .venv/bin/python tools/notebooks.py --check         # exit 1, naming each stale notebook
"""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
SOURCE_GLOBS = (("notebooks/src", "[0-9][0-9]-*.py"), ("labs/src", "lab-[0-9][0-9]-*.py"))
NOTEBOOK_METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}}
# Metadata jupytext adds while reading percent text, about the text itself (blank lines between cells).
JUPYTEXT_ONLY = {"lines_to_next_cell"}
CHECK_TAG = "check"  # a cell of facts asserted for CI: input hidden from the learner


def sources() -> list[Path]:
    """Every notebook source, notebooks first, in file-name order."""
    return [p for folder, pattern in SOURCE_GLOBS for p in sorted((ROOT / folder).glob(pattern))]


def target(source: Path) -> Path:
    """The notebook a source builds: its folder's parent, same stem."""
    return source.parent.parent / f"{source.stem}.ipynb"


def build(source: Path) -> str:
    """The notebook text for one source (deterministic: no outputs, positional cell ids)."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = nbformat.from_dict(NOTEBOOK_METADATA)
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:40]}-{i:03d}"
        for key in JUPYTEXT_ONLY & set(cell.metadata):
            del cell.metadata[key]
        if CHECK_TAG in cell.metadata.get("tags", ()):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    nbformat.validate(nb)
    return nbformat.writes(nb).rstrip("\n") + "\n"


def stale(paths: list[Path]) -> list[Path]:
    """The targets of `paths` that are missing or differ from what their sources build."""
    return [target(s) for s in paths
            if not target(s).exists() or target(s).read_text(encoding="utf-8") != build(s)]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if a != "--check"]
    paths = [Path(n).resolve() for n in names] or sources()
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"no such source: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    if check:
        out_of_date = stale(paths)
        for path in out_of_date:
            print(f"out of date: {path.relative_to(ROOT)} (run `make notebooks`)", file=sys.stderr)
        return 1 if out_of_date else 0
    for source in paths:
        target(source).write_text(build(source), encoding="utf-8")
        print(f"built {target(source).relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

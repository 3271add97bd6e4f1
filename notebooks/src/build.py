"""Build notebooks from their reviewable sources: notebooks/src/NN-name.py → notebooks/NN-name.ipynb.

A source is jupytext "percent" text, parsed here (no jupytext dependency):

    # %% [markdown]
    # # A heading
    # Prose, each line commented with "# ".

    # %%
    intro("01")

Text before the first marker is a header for reviewers and is not copied. The notebooks are
written without outputs, with cell ids derived from the file name and position (so a rebuild
of an unchanged source is byte-identical) and the python3 kernel.

    .venv/bin/python notebooks/src/build.py            # every source
    .venv/bin/python notebooks/src/build.py 01-anatomy.py
    .venv/bin/python notebooks/src/build.py --check    # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

SRC = Path(__file__).resolve().parent
OUT = SRC.parent
MARKER = re.compile(r"^# %%(?:\s+\[(?P<kind>\w+)\])?\s*$")
METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}


def parse(text: str) -> list[tuple[str, str]]:
    """The cells of a percent-format source as (kind, source) pairs, kind "code" or "markdown"."""
    cells: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        match = MARKER.match(line)
        if match:
            kind = match["kind"] or "code"
            if kind not in ("code", "markdown"):
                raise ValueError(f"unknown cell kind [{kind}] in {line!r}")
            cells.append((kind, []))
        elif cells:
            kind, lines = cells[-1]
            if kind == "markdown":
                if line and not line.startswith("#"):
                    raise ValueError(f"markdown line without '# ': {line!r}")
                line = line[2:] if line.startswith("# ") else line[1:]
            lines.append(line)
    out = [(kind, "\n".join(lines).strip("\n")) for kind, lines in cells]
    return [(kind, source) for kind, source in out if source]


def notebook(source: Path) -> nbformat.NotebookNode:
    """The notebook for one source file."""
    nb = new_notebook(metadata=METADATA)
    for i, (kind, text) in enumerate(parse(source.read_text(encoding="utf-8"))):
        cell = new_markdown_cell(text) if kind == "markdown" else new_code_cell(text)
        cell["id"] = f"{source.stem[:40]}-{i:03d}"
        nb.cells.append(cell)
    return nb


def target(source: Path) -> Path:
    return OUT / f"{source.stem}.ipynb"


def sources(names: list[str]) -> list[Path]:
    if names:
        return [SRC / Path(n).name for n in names]
    return sorted(p for p in SRC.glob("[0-9][0-9]-*.py"))


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    for source in sources([a for a in argv if a != "--check"]):
        text = nbformat.writes(notebook(source)).rstrip("\n") + "\n"
        path = target(source)
        if check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
        else:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(OUT.parent)}")
    if stale:
        print(f"out of date (run notebooks/src/build.py): {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

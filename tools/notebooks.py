"""Build the course's notebooks and labs from their jupytext percent sources, in two editions, or check them.

    notebooks/src/NN-name.py   → notebooks/NN-name.ipynb        and notebooks/zh-CN/NN-name.ipynb
    labs/src/lab-NN-name.py    → labs/lab-NN-name.ipynb         and labs/zh-CN/lab-NN-name.ipynb

Two editions from one source: code cells are shared; each English Markdown cell (untagged, or
`lang="en"`) is followed by its Chinese one (`# %% [markdown] lang="zh-CN"`). The English edition
keeps the English cells, the zh-CN edition puts the Chinese cell in the English one's place and
calls `npkit.set_language("zh_CN")` first (prepended to its first code cell), so npkit's widgets
and messages speak Chinese too. A prose cell without its Chinese partner is built in English into
the zh-CN edition (its links re-pointed) until it is translated; `--untranslated` lists them.
Comments in code cells follow the chapter's YAML (npkit.course.chapter): Chinese, with npkit's
English gloss after `  #en:`, written out as `(gloss)` in the English edition and left out in zh-CN.

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
    .venv/bin/python tools/notebooks.py --untranslated  # the prose cells each zh-CN edition still lacks
"""

from __future__ import annotations

import posixpath
import re
import sys
from pathlib import Path

import jupytext
import nbformat

from npkit.course.chapter import in_language

ROOT = Path(__file__).resolve().parents[1]
SOURCE_GLOBS = (("notebooks/src", "[0-9][0-9]-*.py"), ("labs/src", "lab-[0-9][0-9]-*.py"))
NOTEBOOK_METADATA = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}}
# Metadata jupytext adds while reading percent text, about the text itself (blank lines between cells).
JUPYTEXT_ONLY = {"lines_to_next_cell"}
CHECK_TAG = "check"  # a cell of facts asserted for CI: input hidden from the learner
ENGLISH, CHINESE = "en", "zh-CN"
EDITIONS = (ENGLISH, CHINESE)  # the folder of an edition: the English one's, plus its name ("zh-CN/")
LANG_KEY = "lang"  # the Markdown cell option that says a cell's language
# What the zh-CN edition runs first: npkit speaks Chinese from the first cell on.
SET_LANGUAGE = 'import npkit\nnpkit.set_language("zh_CN")  # 中文版：npkit 的输出也是中文\n'
LINK = re.compile(r"(\]\()([^)\s]+)(\))")  # a Markdown link's target


def sources() -> list[Path]:
    """Every notebook source, notebooks first, in file-name order."""
    return [p for folder, pattern in SOURCE_GLOBS for p in sorted((ROOT / folder).glob(pattern))]


def target(source: Path, edition: str = ENGLISH) -> Path:
    """The notebook a source builds in an edition: its folder's parent (then the edition's folder), same stem."""
    folder = source.parent.parent if edition == ENGLISH else source.parent.parent / edition
    return folder / f"{source.stem}.ipynb"


def targets(source: Path) -> list[Path]:
    """Every edition a source builds."""
    return [target(source, e) for e in EDITIONS]


class SourceError(ValueError):
    """A source whose languages do not pair up; the message names the file and line."""


def _language(cell: nbformat.NotebookNode) -> str | None:
    """A Markdown cell's language (English when untagged); None for a code cell."""
    if cell.cell_type != "markdown":
        return None
    return str(cell.metadata.get(LANG_KEY, ENGLISH))


def _pairs(source: Path, cells: list[nbformat.NotebookNode]) -> list[tuple[nbformat.NotebookNode,
                                                                          nbformat.NotebookNode | None]]:
    """Each cell of the English edition with its Chinese partner (prose), or None (code, untranslated prose)."""
    out: list[tuple[nbformat.NotebookNode, nbformat.NotebookNode | None]] = []
    for i, cell in enumerate(cells):
        lang = _language(cell)
        if lang not in (None, ENGLISH, CHINESE):
            raise SourceError(f"{source.name}: cell {i + 1}: lang={lang!r}; a Markdown cell is en (or untagged) "
                              f"or {CHINESE}")
        if lang == CHINESE:
            if not out or _language(out[-1][0]) != ENGLISH or out[-1][1] is not None:
                raise SourceError(f"{source.name}: cell {i + 1} ({_first_line(cell)!r}) is {CHINESE} but does not "
                                  "follow an English Markdown cell: put it right after the cell it translates")
            out[-1] = (out[-1][0], cell)
        else:
            out.append((cell, None))
    return out


def _first_line(cell: nbformat.NotebookNode) -> str:
    return next((line for line in cell.source.splitlines() if line.strip()), "")[:60]


def untranslated(source: Path) -> list[str]:
    """The first line of each English prose cell that has no Chinese partner yet."""
    cells = jupytext.read(source, fmt="py:percent").cells
    return [_first_line(en) for en, zh in _pairs(source, cells) if _language(en) == ENGLISH and zh is None]


def _relinked(text: str, source: Path) -> str:
    """English prose placed in the zh-CN edition: relative links re-pointed from the edition's folder,
    to the zh-CN edition of a notebook or lab, to the file itself otherwise."""
    english = target(source).parent.name  # "notebooks" or "labs", resolved from the repository's root
    here = f"{english}/{CHINESE}"

    def repoint(m: re.Match[str]) -> str:
        link = m.group(2)
        if re.match(r"^([a-z]+:|#|/)", link):
            return m.group(0)
        path, hash_, fragment = link.partition("#")
        resolved = posixpath.normpath(posixpath.join(english, path))
        folder, name = posixpath.split(resolved)
        if name.endswith(".ipynb") and folder in ("notebooks", "labs"):
            resolved = f"{folder}/{CHINESE}/{name}"
        return f"{m.group(1)}{posixpath.relpath(resolved, here)}{hash_}{fragment}{m.group(3)}"

    return LINK.sub(repoint, text)


def build(source: Path, edition: str = ENGLISH) -> str:
    """The notebook text for one source in one edition (deterministic: no outputs, positional cell ids)."""
    nb = jupytext.read(source, fmt="py:percent")
    nb.metadata = nbformat.from_dict(NOTEBOOK_METADATA)
    cells = []
    for en, zh in _pairs(source, nb.cells):
        cell = en
        if edition == CHINESE and _language(en) == ENGLISH:
            cell = zh if zh is not None else nbformat.from_dict({**en, "source": _relinked(en.source, source)})
        cell.metadata.pop(LANG_KEY, None)
        if cell.cell_type == "code":  # shared code: its Chinese comments' `#en:` glosses in English only
            cell.source = in_language(cell.source, english=edition == ENGLISH)
        cells.append(cell)
    if edition == CHINESE:
        first = next((c for c in cells if c.cell_type == "code"), None)
        if first is not None:
            first.source = SET_LANGUAGE + first.source
    nb.cells = cells
    for i, cell in enumerate(nb.cells):
        cell.id = f"{source.stem[:40]}-{i:03d}"
        for key in JUPYTEXT_ONLY & set(cell.metadata):
            del cell.metadata[key]
        if CHECK_TAG in cell.metadata.get("tags", ()):
            cell.metadata.setdefault("jupyter", {})["source_hidden"] = True
    nbformat.validate(nb)
    return nbformat.writes(nb).rstrip("\n") + "\n"


def stale(paths: list[Path]) -> list[Path]:
    """The targets (every edition) of `paths` that are missing or differ from what their sources build."""
    return [target(s, e) for s in paths for e in EDITIONS
            if not target(s, e).exists() or target(s, e).read_text(encoding="utf-8") != build(s, e)]


def main(argv: list[str]) -> int:
    check = "--check" in argv
    names = [a for a in argv if not a.startswith("--")]
    paths = [Path(n).resolve() for n in names] or sources()
    missing = [p for p in paths if not p.is_file()]
    if missing:
        print(f"no such source: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    try:
        if "--untranslated" in argv:
            for source in paths:
                lines = untranslated(source)
                print(f"{source.relative_to(ROOT)}: {len(lines)} prose cells without {CHINESE}"
                      + "".join(f"\n  {line}" for line in lines))
            return 0
        if check:
            out_of_date = stale(paths)
            for path in out_of_date:
                print(f"out of date: {path.relative_to(ROOT)} (run `make notebooks`)", file=sys.stderr)
            return 1 if out_of_date else 0
        for source in paths:
            for edition in EDITIONS:
                path = target(source, edition)
                path.parent.mkdir(exist_ok=True)
                path.write_text(build(source, edition), encoding="utf-8")
                print(f"built {path.relative_to(ROOT)}")
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

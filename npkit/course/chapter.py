"""The chapter's example policies, rebuilt with correct indentation (npkit/data/chapter/*.yaml).

Notebooks show and evaluate these files instead of retyping them, so every lesson uses the
same text the tests check.

The files hold the chapter's YAML with the chapter's own (Chinese) comments, and, marked `#en:`,
npkit's English glosses and notes: a line `#en: text` is a note of its own, a trailing
`  #en: gloss` glosses the chapter comment on its line. `chapter_example()` keeps them in the
English edition (`# text`, `# 恶意 IP (malicious IPs)`) and drops them in every other language,
so a Chinese reader sees the YAML exactly as the chapter writes it.
"""

from __future__ import annotations

import os
import re
from importlib import resources
from importlib.abc import Traversable
from pathlib import Path

from ..i18n import get_language

GLOSS = "#en:"
_TRAILING = re.compile(r"\s+#en:\s*(.*)$")


def _dir() -> Traversable:
    return resources.files("npkit").joinpath("data").joinpath("chapter")


def chapter_examples() -> list[str]:
    """Names of every chapter example (file names without .yaml), sorted.

    >>> "allow-dns" in chapter_examples()
    True
    """
    return sorted(p.name[:-5] for p in _dir().iterdir() if p.name.endswith(".yaml"))


def in_language(text: str, english: bool) -> str:
    """A chapter file's text with its `#en:` glosses written out (English) or left out (the chapter's own words).

    >>> source = "#en: Chapter: a note.\\nspec:\\n  # 选择所有 Pod  #en: every pod\\n  podSelector: {}\\n"
    >>> print(in_language(source, english=True), end="")
    # Chapter: a note.
    spec:
      # 选择所有 Pod (every pod)
      podSelector: {}
    >>> print(in_language(source, english=False), end="")
    spec:
      # 选择所有 Pod
      podSelector: {}
    """
    out = []
    for line in text.splitlines(keepends=True):
        body, newline = line.rstrip("\r\n"), line[len(line.rstrip("\r\n")):]
        indent = body[:len(body) - len(body.lstrip())]
        if body.lstrip().startswith(GLOSS):
            if english:
                out.append(f"{indent}# {body.lstrip()[len(GLOSS):].strip()}{newline}")
            continue
        trailing = _TRAILING.search(body)
        if trailing:
            kept = body[:trailing.start()].rstrip()
            body = f"{kept} ({trailing.group(1).strip()})" if english else kept
        out.append(body + newline)
    return "".join(out)


def chapter_example(name: str) -> str:
    """The YAML text of one chapter example, e.g. `chapter_example("default-deny-ingress")`, in the current
    language: with npkit's English glosses in English, as the chapter writes it otherwise."""
    path = _dir().joinpath(f"{name}.yaml")
    if not path.is_file():
        raise KeyError(f"no chapter example {name!r}; there are: {', '.join(chapter_examples())}")
    return _as_shown(path)


def scenario_text(path: str | os.PathLike[str]) -> str:
    """A lab scenario's YAML as the current language shows it: its `#en:` glosses written out in English only."""
    return _as_shown(Path(path))


def _as_shown(path: Path | Traversable) -> str:
    return in_language(path.read_text(encoding="utf-8"), english=get_language() == "en")

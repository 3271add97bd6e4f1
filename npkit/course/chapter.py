"""The chapter's example policies, rebuilt with correct indentation (npkit/data/chapter/*.yaml).

Notebooks show and evaluate these files instead of retyping them, so every lesson uses the
same text the tests check.
"""

from __future__ import annotations

from importlib import resources
from importlib.abc import Traversable


def _dir() -> Traversable:
    return resources.files("npkit").joinpath("data").joinpath("chapter")


def chapter_examples() -> list[str]:
    """Names of every chapter example (file names without .yaml), sorted.

    >>> "allow-dns" in chapter_examples()
    True
    """
    return sorted(p.name[:-5] for p in _dir().iterdir() if p.name.endswith(".yaml"))


def chapter_example(name: str) -> str:
    """The YAML text of one chapter example, e.g. `chapter_example("default-deny-ingress")`."""
    path = _dir().joinpath(f"{name}.yaml")
    if not path.is_file():
        raise KeyError(f"no chapter example {name!r}; there are: {', '.join(chapter_examples())}")
    text: str = path.read_text(encoding="utf-8")
    return text

"""constraints.txt, the lock every install uses (Makefile, binder/postBuild), pins every dependency
that pyproject.toml declares, within its declared range: a dependency added without `make lock`
fails here, not on Binder."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"


def _declared() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lists = [project["dependencies"], *project["optional-dependencies"].values()]
    return [r for r in (Requirement(line) for deps in lists for line in deps) if r.name != project["name"]]


def _pins() -> dict[str, list[tuple[Version, Marker | None]]]:
    pins: dict[str, list[tuple[Version, Marker | None]]] = {}
    for line in LOCK.read_text().splitlines():
        if not line or line.startswith((" ", "#")):
            continue
        match = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)(?: ; (.+))?", line)
        assert match, f"constraints.txt: not a pin: {line!r}"
        name, version, marker = match.groups()
        pins.setdefault(canonicalize_name(name), []).append((Version(version), Marker(marker) if marker else None))
    return pins


def test_the_lock_says_how_to_refresh_it():
    assert "make lock" in LOCK.read_text().split("\n", 3)[1]


def test_every_declared_dependency_is_locked_within_its_range():
    pins = _pins()
    problems = []
    for requirement in _declared():
        locked = pins.get(canonicalize_name(requirement.name))
        if not locked:
            problems.append(f"{requirement} is not in constraints.txt")
            continue
        problems += [f"{requirement}: locked at {version}" for version, _ in locked
                     if not requirement.specifier.contains(version, prereleases=True)]
    assert not problems, "run `make lock`:\n" + "\n".join(problems)


def test_this_python_gets_exactly_one_version_of_each_locked_package():
    ambiguous = {name: [str(v) for v, m in locked if m is None or m.evaluate()]
                 for name, locked in _pins().items()}
    assert all(len(v) <= 1 for v in ambiguous.values()), {k: v for k, v in ambiguous.items() if len(v) > 1}
    assert ambiguous["numpy"], "the lock has no numpy for this Python"

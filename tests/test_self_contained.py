"""The repository stands alone: every reference in code, docs and tests points inside it, nothing names a
path on one particular machine, and the licence pyproject.toml declares is the one shipped."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
THIS = Path(__file__).resolve()
SEMANTICS = ("kubernetes.md", "calico.md", "clusternetworkpolicy.md", "kind-lab.md")

# Paths that exist only on the machine a file was written on.
OUTSIDE = [
    (re.compile(r"(?<![\w.~-])/(?:work|home|root|Users|mnt|srv|opt)/"), "an absolute path on one machine"),
]
# A relative path that climbs (../) must land inside the repository, or (docs describe links written from
# other folders) name one of its top-level entries.
CLIMBING = re.compile(r"(?<![\w.])((?:\.\./)+[\w.-]+)")
# A Markdown file named anywhere must be one of the repository's own (docs/semantics/README.md says which
# notes replaced the ones it was first written from).
MD_NAME = re.compile(r"(?<![\w./<>-])(\w[\w-]*\.md)\b")
# The semantics pages by their bare names: only docs/semantics/ itself may say them so.
BARE_SEMANTICS = re.compile(r"(?<![\w/.-])(" + "|".join(re.escape(n) for n in SEMANTICS) + r")\b")
REPO_PATH = re.compile(r"(?<![\w/.-])((?:docs|tests/data|cluster|labs|notebooks|binder)/[\w./-]*[\w-]\.(?:md|yaml|yml|env|ipynb|json))\b")
MD_LINK = re.compile(r"\]\(([^)\s#]+)(?:#[^)]*)?\)")


def _files() -> list[Path]:
    """Every file a clone has (tracked, or new and not ignored), as text; or, outside git, the tree."""
    try:
        listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                                capture_output=True, text=True, check=True).stdout.split("\0")
        paths = [ROOT / p for p in listed if p]
    except (OSError, subprocess.CalledProcessError):
        paths = [p for p in ROOT.rglob("*") if not any(part.startswith(".") or part in {"build", "dist", "__pycache__"}
                                                      for part in p.relative_to(ROOT).parts)]
    return sorted(p for p in paths if p.is_file() and p.resolve() != THIS and p.name != "LICENSE")


def _texts() -> list[tuple[Path, list[str]]]:
    out = []
    for path in _files():
        try:
            out.append((path, path.read_text(encoding="utf-8").splitlines()))
        except UnicodeDecodeError:
            continue  # images and other binary files
    return out


@pytest.fixture(scope="module")
def texts() -> list[tuple[Path, list[str]]]:
    return _texts()


def outside(line: str, folder: Path, markdown_names: set[str]) -> list[str]:
    """What `line`, in a file of `folder`, names outside the repository (each with the reason)."""
    found = [f"{m.group(0)!r}: {why}" for pattern, why in OUTSIDE if (m := pattern.search(line))]
    for climb in CLIMBING.findall(line):
        top = climb.lstrip("./").split("/")[0]
        if not (folder / climb).resolve().is_relative_to(ROOT) and not (ROOT / top).exists():
            found.append(f"{climb!r}: a folder outside the repository")
    found += [f"{name!r}: a note that is not in the repository" for name in MD_NAME.findall(line)
              if name not in markdown_names]
    return found


@pytest.fixture(scope="module")
def markdown_names(texts) -> set[str]:
    return {path.name for path, _ in texts if path.suffix == ".md"}


def test_nothing_points_outside_the_repository(texts, markdown_names):
    problems = []
    for path, lines in texts:
        for number, line in enumerate(lines, 1):
            problems += [f"{path.relative_to(ROOT)}:{number}: {why}"
                         for why in outside(line, path.parent, markdown_names)]
            in_semantics = path.parent == ROOT / "docs" / "semantics"
            if not in_semantics and (match := BARE_SEMANTICS.search(line)):
                problems.append(f"{path.relative_to(ROOT)}:{number}: write docs/semantics/{match.group(1)}")
    assert not problems, "\n".join(problems)


def test_every_repository_path_named_exists(texts):
    # A comment that says "see docs/x.md" must lead somewhere.
    problems = []
    for path, lines in texts:
        for number, line in enumerate(lines, 1):
            for target in REPO_PATH.findall(line):
                placeholder = re.search(r"\bNN\b|[*<{]", target)  # e.g. notebooks/NN-name.ipynb
                if not placeholder and not (ROOT / target).exists():
                    problems.append(f"{path.relative_to(ROOT)}:{number}: {target} does not exist")
    assert not problems, "\n".join(problems)


def test_every_relative_markdown_link_resolves(texts):
    problems = []
    for path, lines in texts:
        if path.suffix != ".md":
            continue
        for number, line in enumerate(lines, 1):
            for target in MD_LINK.findall(line):
                if re.match(r"[a-z][a-z+.-]*:", target):
                    continue  # a URL
                if not (path.parent / target).resolve().exists():
                    problems.append(f"{path.relative_to(ROOT)}:{number}: link to {target} leads nowhere")
    assert not problems, "\n".join(problems)


def test_the_semantics_index_lists_each_page():
    index = (ROOT / "docs" / "semantics" / "README.md").read_text()
    assert all(f"]({name})" in index for name in SEMANTICS)


def test_the_check_finds_what_it_forbids(markdown_names):
    # The kinds of reference this repository once had: a machine's path, a folder beside the clone, a note
    # that was never copied in, a semantics page without its folder.
    leaked = ['NOTES = Path("/home/someone/notes/map.md")', "see ../../beside-the-clone/reference",
              "(semantics-notes.md A.7)", "(kind-lab.md C.6)"]
    for line in leaked:
        assert outside(line, ROOT / "tests", markdown_names) or BARE_SEMANTICS.search(line), line
    fine = ["see docs/semantics/kind-lab.md", "see ../docs/semantics/kind-lab.md", "(README.md)"]
    assert not any(outside(line, ROOT / "tests", markdown_names) for line in fine)
    assert not BARE_SEMANTICS.search("see docs/semantics/kind-lab.md")


def test_the_licence_is_the_declared_apache_2_0():
    text = (ROOT / "LICENSE").read_text()
    assert text.split()[:5] == ["Apache", "License", "Version", "2.0,", "January"]
    assert "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION" in text
    assert "END OF TERMS AND CONDITIONS" in text and "APPENDIX: How to apply the Apache License" in text
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "Apache-2.0"


def test_the_wheel_ships_the_licence_and_py_typed(tmp_path):
    # Type checkers read npkit's annotations only when the installed package has py.typed (PEP 561).
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=300)
    if built.returncode != 0 and re.search(r"NewConnectionError|Temporary failure in name resolution", built.stderr):
        pytest.skip("offline: pip could not fetch the build backend (setuptools) and has no cached copy")
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("npkit-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "npkit/py.typed" in names
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names)
    assert any(n.startswith("npkit/data/course/") for n in names)

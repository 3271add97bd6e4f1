"""The lab library is quiet: it never prints, never touches the process's standard streams, never installs
signal handlers or exit hooks. The CLI and the notebook front end (notebook.py) decide where words go."""

from __future__ import annotations

import ast
from pathlib import Path

LAB = Path(__file__).resolve().parents[2] / "npkit" / "lab"
FRONT_END = {"notebook.py"}  # the notebook's application layer: prints into the cell, cleans up at kernel exit
STREAM_OBJECTS = {"progress.py"}  # TerminalProgress writes to the stream its caller gives (stderr by default)


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            found += [f"imports {n}" for n in names if n == "atexit" and path.name not in FRONT_END]
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print" \
                and path.name not in FRONT_END:
            found.append(f"line {node.lineno}: print()")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "sys" \
                and node.attr in ("stdout", "stderr") and path.name not in FRONT_END | STREAM_OBJECTS:
            found.append(f"line {node.lineno}: sys.{node.attr}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "signal" \
                and node.attr in ("signal", "set_wakeup_fd", "pthread_sigmask", "siginterrupt"):
            found.append(f"line {node.lineno}: signal.{node.attr}")  # installing a handler: the CLI's job
    return found


def test_the_lab_library_never_prints_swaps_streams_or_installs_handlers():
    problems = [f"{path.relative_to(LAB)}: {o}" for path in sorted(LAB.rglob("*.py"))
                if path.name != "servers.py"  # the pod server: a separate process, its stdout is its report
                for o in _offences(path)]
    assert not problems, "\n".join(problems)

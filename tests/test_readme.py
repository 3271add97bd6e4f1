"""The README's command-line example is real output: run its commands and compare."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _console_blocks() -> list[list[tuple[str, list[str]]]]:
    text = (ROOT / "README.md").read_text()
    blocks = []
    for body in re.findall(r"```console\n(.*?)```", text, re.S):
        steps: list[tuple[str, list[str]]] = []
        lines = body.splitlines()
        i = 0
        while i < len(lines):
            line = lines[i]
            if line.startswith("$ "):
                command = line[2:]
                while command.endswith("\\"):
                    i += 1
                    command = command[:-1] + " " + lines[i].strip()
                steps.append((command, []))
            elif steps:
                steps[-1][1].append(line)
            i += 1
        blocks.append(steps)
    return blocks


def test_the_readme_example_prints_what_the_readme_shows():
    blocks = _console_blocks()
    assert blocks, "the README has no console example"
    env = dict(os.environ, PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}")
    for steps in blocks:
        for command, expected in steps:
            out = subprocess.run(command, shell=True, cwd=ROOT, env=env, capture_output=True, text=True)
            assert out.stdout.splitlines() == expected, f"$ {command}\n{out.stdout}{out.stderr}"

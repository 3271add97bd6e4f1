"""Running external commands (kind, kubectl, docker) through one seam that tests replace."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Result:
    """What a command did. `returncode` 127 means the program was not found."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def message(self) -> str:
        """The most useful line of output for an error message."""
        text = (self.stderr or self.stdout).strip()
        return text.splitlines()[-1] if text else f"exit code {self.returncode}"


class Runner(Protocol):
    def run(self, argv: Sequence[str], timeout: float = 60.0) -> Result: ...

    def which(self, program: str) -> str | None: ...


class SubprocessRunner:
    """The real thing: subprocess without a shell, output captured as text."""

    def run(self, argv: Sequence[str], timeout: float = 60.0) -> Result:
        argv = tuple(argv)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                                  stdin=subprocess.DEVNULL, check=False)
        except FileNotFoundError:
            return Result(argv, 127, "", f"{argv[0]}: command not found")
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            return Result(argv, 124, out, f"{argv[0]} did not finish within {timeout:g} s")
        return Result(argv, done.returncode, done.stdout, done.stderr)

    def which(self, program: str) -> str | None:
        return shutil.which(program)

"""Running external commands (kind, kubectl, docker) through one seam that tests replace."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..i18n import messages

_ = messages("npkit-tools").gettext

# Colour codes kind prints when it thinks it writes to a terminal.
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
TAIL_LINES = 3
GRACE = 30.0  # seconds a terminated command gets to exit before it is killed


def plain_lines(text: str) -> list[str]:
    """Non-empty lines without colour codes.

    >>> plain_lines("\\x1b[31mERROR\\x1b[0m: boom\\n\\n  x  \\n")
    ['ERROR: boom', '  x']
    """
    return [line.rstrip() for line in _ANSI.sub("", text).splitlines() if line.strip()]


@dataclass(frozen=True)
class Result:
    """What a command did. `returncode` 127: the program was not found; 124: it timed out."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str = ""
    stderr: str = ""

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def message(self, tail: int = TAIL_LINES) -> str:
        """The useful part of a failure: the first `ERROR:` line kind and docker print (the cause),
        then the last few lines after it (for kind, the failed command's own output).

        >>> kind = "Creating cluster ...\\nERROR: failed to create cluster: boom\\n\\nCommand Output: a\\nb\\n"
        >>> Result((), 1, "", kind).message()
        'ERROR: failed to create cluster: boom\\n  Command Output: a\\n  b'
        >>> Result((), 1, "", "error: x\\n").message()
        'error: x'
        """
        lines = plain_lines(self.stderr) or plain_lines(self.stdout)
        if not lines:
            return _("exit code {code}").format(code=self.returncode)
        first = next((i for i, line in enumerate(lines) if line.lstrip().startswith("ERROR:")), None)
        if first is None:
            return lines[-1].strip()
        after = [line.strip() for line in lines[first + 1:] if not line.lstrip().startswith("ERROR:")]
        return "\n  ".join([lines[first].strip(), *after[-tail:]])


def _stop(proc: subprocess.Popen[str]) -> None:
    """SIGTERM to the command's process group, SIGKILL only if it is still there after GRACE seconds."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(GRACE)
            return
        except subprocess.TimeoutExpired:
            continue


class Runner(Protocol):
    def run(self, argv: Sequence[str], timeout: float = 60.0, input: str | None = None) -> Result: ...

    def stream(self, argv: Sequence[str], on_line: Callable[[str], None], timeout: float) -> Result: ...

    def which(self, program: str) -> str | None: ...


class SubprocessRunner:
    """The real thing: subprocess without a shell, output captured as text."""

    def run(self, argv: Sequence[str], timeout: float = 60.0, input: str | None = None) -> Result:
        argv = tuple(argv)
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, input=input,
                                  stdin=None if input is not None else subprocess.DEVNULL, check=False)
        except FileNotFoundError:
            return Result(argv, 127, "", _("{program}: command not found").format(program=argv[0]))
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            return Result(argv, 124, out, _("{program} did not finish within {seconds:g} s").format(
                program=argv[0], seconds=timeout))
        return Result(argv, done.returncode, done.stdout, done.stderr)

    def stream(self, argv: Sequence[str], on_line: Callable[[str], None], timeout: float) -> Result:
        """Run a long command, passing each output line (stdout and stderr merged) to `on_line`.

        The command runs in a process group of its own. On timeout (or when `on_line` raises, e.g.
        on Ctrl-C) the group is asked to stop (SIGTERM) and only killed if it ignores that for
        GRACE seconds; the caller cleans up what it left (e.g. `kind delete cluster`).
        """
        argv = tuple(argv)
        try:
            proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                    stdin=subprocess.DEVNULL, bufsize=1, errors="replace", start_new_session=True)
        except FileNotFoundError:
            return Result(argv, 127, "", _("{program}: command not found").format(program=argv[0]))
        expired = threading.Event()

        def expire() -> None:
            expired.set()
            _stop(proc)

        timer = threading.Timer(timeout, expire)
        timer.daemon = True
        timer.start()
        lines: list[str] = []
        try:
            assert proc.stdout is not None  # noqa: S101 - Popen was given stdout=PIPE
            for line in proc.stdout:
                lines.append(line)
                on_line(line.rstrip("\n"))
            proc.wait()
        finally:
            timer.cancel()
            if proc.poll() is None:  # on_line raised: do not leave the command running
                _stop(proc)
        output = "".join(lines)
        if expired.is_set():
            return Result(argv, 124, "", output + "\n" + _("{program} did not finish within {seconds:g} s").format(
                program=argv[0], seconds=timeout) + "\n")
        return Result(argv, proc.returncode, "", output)

    def which(self, program: str) -> str | None:
        return shutil.which(program)

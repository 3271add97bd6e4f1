"""Whole-process measurements for benchmarks: wall time, CPU time and peak memory of one command.

Each command runs as its own child, optionally under `prlimit --as` (an address-space limit, the
way a container's memory limit stops a process), and its resources are read with `os.wait4`,
so one run's peak memory never hides in another's.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

NPKIT = [sys.executable, "-m", "npkit.cli.main"]


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float  # user + system
    peak_mb: float  # maximum resident set size
    exit_code: int
    output_bytes: int

    def __str__(self) -> str:
        return f"{self.wall_s:7.2f} s wall {self.cpu_s:7.2f} s CPU {self.peak_mb:7.0f} MB peak"


def run(command: list[str], output: Path | None = None, address_space: int | None = None,
        env: dict[str, str] | None = None) -> Run:
    """Run `command` once, stdout to `output` (or discarded), stderr discarded."""
    if address_space is not None:
        prlimit = shutil.which("prlimit")
        if prlimit is None:
            raise SystemExit("prlimit (util-linux) is needed for the memory-limited runs")
        command = [prlimit, f"--as={address_space}", *command]
    sink = open(output, "wb") if output is not None else open(os.devnull, "wb")  # noqa: SIM115 - closed below
    try:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=sink, stderr=subprocess.DEVNULL, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
    finally:
        sink.close()
    size = output.stat().st_size if output is not None else 0
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, child.returncode, size)


def median_run(command: list[str], repeat: int, output: Path | None = None) -> Run:
    """The run with the median wall time of `repeat`."""
    runs = sorted((run(command, output) for _ in range(repeat)), key=lambda r: r.wall_s)
    return runs[len(runs) // 2]


def median_seconds(command: list[str], repeat: int) -> float:
    return statistics.median(run(command).wall_s for _ in range(repeat))

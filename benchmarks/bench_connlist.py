"""`npkit connlist` against IBM's Network Config Analyzer on the same input, whole process; prints figures.

Usage: python benchmarks/bench_connlist.py [--nca PATH] [--pods 1000] [--policies 200] [--repeat 5]
                                           [--nca-repeat 3]

The input is the synthetic cluster (benchmarks/synthetic.py) written as YAML. npkit runs as the
`npkit` command would (a new Python process per run, start-up and YAML loading included), with
its default one-line-per-pair output and with --compact; NCA runs as
`nca --connectivity -r FILE -o txt_no_fw_rules --output_endpoints pods`, the same question (every
allowed connection between pods and address ranges, over all protocols and ports). The runs are
interleaved (npkit, npkit --compact, NCA, npkit, ...), so that both tools meet the same load on a
shared machine, and each figure is the median of its runs, wall and CPU time apart. The machine's
load average is printed before and after. Targets: npkit at least 100x faster, and its grouped
(--compact) output no larger than NCA's.

npkit's bytecode is compiled first (as `pip install` does), so that no run pays for compiling
npkit's modules where PYTHONDONTWRITEBYTECODE is set. Then a child process reports where one run
of npkit spends its CPU time (connlist_phases.py): imports, YAML, objects, engine, output.

NCA is found with --nca, the NCA environment variable, or `nca` on PATH. Install it in a venv of
its own, never npkit's: `python3 -m venv /tmp/nca && /tmp/nca/bin/pip install network-config-analyzer`.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from processes import NPKIT, Run, median_seconds, run  # noqa: E402
from synthetic import k8s_cluster  # noqa: E402

import npkit  # noqa: E402
from npkit.loading.dump import cluster_objects, dump_yaml  # noqa: E402

# What `npkit --help` did before issue 13: import every command module (and with them numpy, lint, diff, lab).
EVERY_COMMAND = ("import importlib, npkit.cli.main as m; "
                 "[importlib.import_module(f'npkit.cli.commands.{c}') for c in m.COMMANDS]")
PHASES = ("imports", "yaml", "objects", "engine", "output")


def _nca(given: str | None) -> str | None:
    return given or os.environ.get("NCA") or shutil.which("nca")


def _median(runs: list[Run]) -> Run:
    """Median wall and median CPU time (each over all runs), the largest peak, the last output size."""
    return Run(statistics.median(r.wall_s for r in runs), statistics.median(r.cpu_s for r in runs),
               max(r.peak_mb for r in runs), runs[-1].exit_code, runs[-1].output_bytes)


def _row(label: str, runs: list[Run]) -> str:
    r = _median(runs)
    return f"{label:<44}{r}  {r.output_bytes / 2**20:8.1f} MB out  ({len(runs)} runs)"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} cores"


def _phases(cluster_file: Path, repeat: int = 3) -> None:
    """CPU seconds per phase of one npkit connlist, the median of `repeat` child processes."""
    script = str(HERE / "connlist_phases.py")
    seen: dict[str, list[float]] = {p: [] for p in PHASES}
    for _ in range(repeat):
        done = subprocess.run([sys.executable, script, str(cluster_file)], capture_output=True, text=True,
                              check=True)
        for phase, seconds in json.loads(done.stdout).items():
            seen[phase].append(seconds)
    medians = {p: statistics.median(v) for p, v in seen.items()}
    parts = ", ".join(f"{p} {medians[p] * 1000:.0f} ms" for p in PHASES)
    print(f"{'npkit connlist CPU by phase':<44}{parts} (total {sum(medians.values()) * 1000:.0f} ms; "
          f"Python's own start-up and exit not included)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nca", help="the nca command (default: $NCA, then nca on PATH)")
    ap.add_argument("--pods", type=int, default=1000)
    ap.add_argument("--policies", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=5, help="npkit runs per figure (median)")
    ap.add_argument("--nca-repeat", type=int, default=3, help="NCA runs (median; each takes ~30 s)")
    args = ap.parse_args()
    compileall.compile_dir(str(Path(npkit.__file__).parent), quiet=1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cluster_file = folder / "cluster.yaml"
        cluster_file.write_text(dump_yaml(cluster_objects(k8s_cluster(args.pods, args.policies))))
        print(f"input: {args.pods:,} pods, {args.policies:,} NetworkPolicies, "
              f"{cluster_file.stat().st_size / 2**20:.1f} MB of YAML")
        print(f"before: {_load()}")
        start = median_seconds([*NPKIT, "--help"], 10)
        every = median_seconds([sys.executable, "-c", EVERY_COMMAND], 10)
        print(f"{'start-up: npkit --help':<44}{start:7.3f} s wall (median of 10)")
        print(f"{'  importing every command (as before 13)':<44}{every:7.3f} s wall (median of 10)")
        _phases(cluster_file)
        nca = _nca(args.nca)
        if nca is None:
            print("NCA not found: give --nca PATH (see this file's docstring to install it)")
        pairs: list[Run] = []
        compact: list[Run] = []
        theirs: list[Run] = []
        for i in range(max(args.repeat, args.nca_repeat if nca else 0)):
            if i < args.repeat:
                pairs.append(run([*NPKIT, "connlist", "-f", str(cluster_file)], folder / "pairs.txt"))
                compact.append(run([*NPKIT, "connlist", "-f", str(cluster_file), "--compact"],
                                   folder / "compact.txt"))
            if nca is not None and i < args.nca_repeat:
                theirs.append(run([nca, "--connectivity", "-r", str(cluster_file), "-o", "txt_no_fw_rules",
                                   "--output_endpoints", "pods"], folder / "nca.txt"))
        print(_row("npkit connlist (one line per pair)", pairs))
        print(_row("npkit connlist --compact", compact))
        if theirs:
            print(_row("NCA 2.1 --connectivity txt_no_fw_rules", theirs))
            nca_run = _median(theirs)
            for label, mine in (("one line per pair", _median(pairs)), ("--compact", _median(compact))):
                print(f"ratio NCA / npkit ({label}): {nca_run.wall_s / mine.wall_s:5.0f}x wall, "
                      f"{nca_run.cpu_s / mine.cpu_s:5.0f}x CPU; output {mine.output_bytes / nca_run.output_bytes:.2f}x "
                      "NCA's")
        print(f"after: {_load()}")


if __name__ == "__main__":
    main()

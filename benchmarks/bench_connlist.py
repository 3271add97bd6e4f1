"""`npkit connlist` against IBM's Network Config Analyzer on the same input, whole process; prints figures.

Usage: python benchmarks/bench_connlist.py [--nca PATH] [--pods 1000] [--policies 200] [--repeat 3]

The input is the synthetic cluster (benchmarks/synthetic.py) written as YAML. npkit runs as the
`npkit` command would (a new Python process per run, start-up and YAML loading included), with
its default one-line-per-pair output and with --compact; NCA runs as
`nca --connectivity -r FILE -o txt_no_fw_rules --output_endpoints pods`, the same question (every
allowed connection between pods and address ranges, over all protocols and ports). Targets: npkit
at least 100x faster, and its grouped (--compact) output no larger than NCA's.

NCA is found with --nca, the NCA environment variable, or `nca` on PATH. Install it in a venv of
its own, never npkit's: `python3 -m venv /tmp/nca && /tmp/nca/bin/pip install network-config-analyzer`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import NPKIT, Run, median_run, median_seconds, run  # noqa: E402
from synthetic import k8s_cluster  # noqa: E402

from npkit.loading.dump import cluster_objects, dump_yaml  # noqa: E402

# What `npkit --help` did before issue 13: import every command module (and with them numpy, lint, diff, lab).
EVERY_COMMAND = ("import importlib, npkit.cli.main as m; "
                 "[importlib.import_module(f'npkit.cli.commands.{c}') for c in m.COMMANDS]")


def _nca(given: str | None) -> str | None:
    return given or os.environ.get("NCA") or shutil.which("nca")


def _row(label: str, r: Run) -> str:
    return f"{label:<44}{r}  {r.output_bytes / 2**20:8.1f} MB out"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nca", help="the nca command (default: $NCA, then nca on PATH)")
    ap.add_argument("--pods", type=int, default=1000)
    ap.add_argument("--policies", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=3, help="npkit runs per figure (median)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        cluster_file = folder / "cluster.yaml"
        cluster_file.write_text(dump_yaml(cluster_objects(k8s_cluster(args.pods, args.policies))))
        print(f"input: {args.pods:,} pods, {args.policies:,} NetworkPolicies, "
              f"{cluster_file.stat().st_size / 2**20:.1f} MB of YAML")
        start = median_seconds([*NPKIT, "--help"], 10)
        every = median_seconds([sys.executable, "-c", EVERY_COMMAND], 10)
        print(f"{'start-up: npkit --help':<44}{start:7.3f} s wall (median of 10)")
        print(f"{'  importing every command (as before 13)':<44}{every:7.3f} s wall (median of 10)")
        pairs = median_run([*NPKIT, "connlist", "-f", str(cluster_file)], args.repeat, folder / "pairs.txt")
        compact = median_run([*NPKIT, "connlist", "-f", str(cluster_file), "--compact"], args.repeat,
                             folder / "compact.txt")
        print(_row("npkit connlist (one line per pair)", pairs))
        print(_row("npkit connlist --compact", compact))
        nca = _nca(args.nca)
        if nca is None:
            print("NCA not found: give --nca PATH (see this file's docstring to install it)")
            return
        theirs = run([nca, "--connectivity", "-r", str(cluster_file), "-o", "txt_no_fw_rules",
                      "--output_endpoints", "pods"], folder / "nca.txt")
        print(_row("NCA 2.1 --connectivity txt_no_fw_rules", theirs))
        for label, mine in (("one line per pair", pairs), ("--compact", compact)):
            print(f"ratio NCA / npkit ({label}): {theirs.wall_s / mine.wall_s:5.0f}x wall, "
                  f"{theirs.cpu_s / mine.cpu_s:5.0f}x CPU; output {mine.output_bytes / theirs.output_bytes:.2f}x NCA's")


if __name__ == "__main__":
    main()

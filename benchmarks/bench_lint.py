"""`npkit lint` and `npkit diff` speed and memory at several scales; prints a table of figures.

Usage: python benchmarks/bench_lint.py [--quick]

Targets on a 2-core machine: course scale (≤ 50 pods, ≤ 20 policies) lint ≤ 1 s and diff ≤ 1 s,
so notebooks stay well inside nbval's 30 s; 500 pods × 100 policies lint ≤ 30 s, ≤ 1 GB.
The shadowing rule (NP403) dominates: it compares every rule's cells over every probe.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import calico_cluster, k8s_cluster  # noqa: E402

from npkit.diff import before_and_after, compare, probe_ports  # noqa: E402
from npkit.engine import Engine  # noqa: E402
from npkit.lint import lint  # noqa: E402


def _timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def measure(label: str, cluster) -> dict:
    lint_s, findings = _timed(lambda: lint(cluster))
    half = cluster.with_policies(cluster.policies[: len(cluster.policies) // 2])
    before, after = before_and_after(cluster, half)
    probes = probe_ports([before, after])
    diff_s, comparison = _timed(lambda: compare(Engine(before), Engine(after), probes))
    return {"scale": label, "pods": len(cluster.pods), "policies": len(cluster.policies),
            "lint s": lint_s, "findings": len(findings), "diff s": diff_s, "probes": len(probes),
            "changes": len(comparison.changes)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="course scale only")
    args = parser.parse_args()
    scales = [("course k8s", k8s_cluster(40, 15)), ("course calico", calico_cluster(40, 15, tiers=2))]
    if not args.quick:
        scales += [("medium k8s", k8s_cluster(200, 50)), ("large k8s", k8s_cluster(500, 100)),
                   ("large calico", calico_cluster(500, 100, tiers=3))]
    rows = [measure(label, c) for label, c in scales]
    keys = list(rows[0])
    print("  ".join(f"{k:>14}" for k in keys))
    for r in rows:
        print("  ".join(f"{v:>14.2f}" if isinstance(v, float) else f"{v!s:>14}" for v in r.values()))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB")


if __name__ == "__main__":
    main()

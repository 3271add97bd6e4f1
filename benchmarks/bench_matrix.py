"""Matrix and explanation speed and memory at several scales; prints a table of figures.

Usage: python benchmarks/bench_matrix.py [--quick]

Targets on a 2-core machine: course scale (≤ 50 pods, ≤ 20 policies) ≤ 10 ms per matrix;
5,000 pods × 1,000 policies ≤ 2 s and ≤ 2 GB; one explanation ≤ 5 ms at 1,000 policies;
Calico 5,000 pods × 1,000 policies over 5 tiers ≤ 3 s.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import calico_cluster, k8s_cluster  # noqa: E402

from npkit.engine import Engine  # noqa: E402


def _timed(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def measure(label: str, cluster, repeat: int) -> dict:
    """Full single-port matrix from a fresh engine (compile + masks + matrix), and one explanation."""
    matrix_s, _ = _timed(lambda: Engine(cluster).reachability(80, "TCP"), repeat)
    tracemalloc.start()  # a separate run: tracing slows allocation down too much to time under it
    Engine(cluster).reachability(80, "TCP")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    engine = Engine(cluster)
    engine.reachability(80, "TCP")  # warm: subject masks are computed once per engine
    pods = engine.pods
    pairs = [(pods[i], pods[(i * 7 + 3) % len(pods)]) for i in range(0, len(pods), max(1, len(pods) // 20))]
    explain_s, _ = _timed(lambda: [engine.verdict(s, d, 80) for s, d in pairs], 3)
    return {"case": label, "pods": len(cluster.pods), "policies": len(cluster.policies),
            "matrix_ms": matrix_s * 1000, "explain_ms": explain_s * 1000 / len(pairs), "peak_mb": peak / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 10,000-pod case")
    args = ap.parse_args()
    cases = [
        ("k8s course", k8s_cluster(50, 20), 20),
        ("k8s", k8s_cluster(100, 20), 10),
        ("k8s", k8s_cluster(1000, 200), 3),
        ("k8s", k8s_cluster(5000, 1000), 1),
        ("calico 5 tiers", calico_cluster(50, 20), 20),
        ("calico 5 tiers", calico_cluster(5000, 1000), 1),
    ]
    if not args.quick:
        cases.insert(4, ("k8s", k8s_cluster(10000, 2000), 1))
    print(f"{'case':<16}{'pods':>7}{'policies':>10}{'matrix ms':>12}{'explain ms':>12}{'peak MB':>10}")
    for label, cluster, repeat in cases:
        r = measure(label, cluster, repeat)
        print(f"{r['case']:<16}{r['pods']:>7}{r['policies']:>10}{r['matrix_ms']:>12.1f}"
              f"{r['explain_ms']:>12.2f}{r['peak_mb']:>10.0f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()

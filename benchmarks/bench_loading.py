"""Loading speed and the cost of refusing hostile YAML; prints figures.

Usage: python benchmarks/bench_loading.py

What the tests check is that these inputs load (or are refused) correctly; how fast, and
how little memory a refusal takes, is measured here, where a busy machine cannot make a
test fail.
"""

from __future__ import annotations

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import k8s_cluster  # noqa: E402

from npkit.loading import load_string  # noqa: E402
from npkit.loading.dump import cluster_objects, dump_yaml  # noqa: E402
from npkit.model import InputError  # noqa: E402
from npkit.selectors import LabelIndex  # noqa: E402


def _seconds(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _refused(text: str) -> None:
    try:
        load_string(text)
    except InputError:
        return
    raise AssertionError("hostile input was accepted")


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def main() -> None:
    print(f"{'input':<42}{'size':>10}{'seconds':>10}")
    sizes = {}
    for pods, policies in ((500, 100), (1000, 200), (5000, 1000)):
        text = dump_yaml(cluster_objects(k8s_cluster(pods, policies)))
        sizes[pods] = _seconds(lambda t=text: load_string(t), repeat=1 if pods >= 5000 else 3)
        print(f"{f'{pods} pods, {policies} policies':<42}{len(text) / 2**20:>8.1f}MB{sizes[pods]:>10.2f}")
    print(f"growth 500 → 5,000 pods (10x input): {sizes[5000] / sizes[500]:.1f}x time (quadratic would be ~100x)")

    bomb = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n---\n" + billion_laughs()
    tracemalloc.start()
    t = _seconds(lambda: _refused(bomb), repeat=1)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{'billion laughs refused':<42}{len(bomb):>9}B{t:>10.3f}   peak {peak / 2**20:.1f} MB")
    for label, text in (("5,000 nested [ refused", "[" * 5000 + "]" * 5000),
                        ("5,000 nested - refused", "- " * 5000 + "x\n"),
                        ("5,000 nested { refused", "a: " + "{b: " * 5000 + "1" + "}" * 5000)):
        print(f"{label:<42}{len(text):>9}B{_seconds(lambda t=text: _refused(t)):>10.3f}")

    labels = [{f"k{j}": f"v{(i * 7 + j) % 23}" for j in range(10)} for i in range(10_000)]
    print(f"{'LabelIndex over 10,000 items × 10 labels':<42}{'':>10}{_seconds(lambda: LabelIndex(labels)):>10.3f}")


if __name__ == "__main__":
    main()

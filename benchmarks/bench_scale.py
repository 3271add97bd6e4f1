"""npkit at scale, whole process under a memory limit; prints time and peak memory.

Usage: python benchmarks/bench_scale.py [--quick]

- `npkit matrix -o json` (one port) on 5,000 pods x 1,000 policies under `prlimit --as=2GiB`;
- `npkit connlist --compact` on 10,000 pods x 2,000 policies under `prlimit --as=4GiB`
  (--quick skips it);
- `npkit check` on 6,500 and 65,000 pods without status.podIP (npkit gives them addresses):
  loading must scale linearly, 65,000 pods within 10x the time of 6,500.

Each figure is one run of a new process (the synthetic clusters of benchmarks/synthetic.py as
YAML); peak memory is the child's maximum resident set.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from processes import NPKIT, run  # noqa: E402
from synthetic import k8s_cluster  # noqa: E402

from npkit.loading.dump import cluster_objects, dump_yaml  # noqa: E402

GIB = 2**30
POD = """apiVersion: v1
kind: Pod
metadata:
  name: p{i}
  namespace: ns{ns}
  labels: {{app: a{app}, tier: t{tier}}}
spec:
  containers:
  - name: app
    image: registry.k8s.io/e2e-test-images/agnhost:2.53
    ports: [{{name: http, containerPort: 80}}]
"""
PODS_PER_FILE = 6500  # one file holds at most 16 MiB; a directory of files holds any number of pods


def _pods_without_addresses(folder: Path, n: int) -> Path:
    folder.mkdir()
    for first in range(0, n, PODS_PER_FILE):
        docs = [POD.format(i=i, ns=i // 25, app=i % 8, tier=i % 3) for i in range(first, min(n, first + PODS_PER_FILE))]
        (folder / f"pods-{first // PODS_PER_FILE:03}.yaml").write_text("---\n".join(docs))
    return folder


def _synthetic(folder: Path, pods: int, policies: int) -> Path:
    path = folder / f"k8s-{pods}.yaml"
    path.write_text(dump_yaml(cluster_objects(k8s_cluster(pods, policies))))
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="skip the 10,000-pod connlist")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        big = _synthetic(folder, 5000, 1000)
        r = run([*NPKIT, "matrix", "-f", str(big), "--port", "80", "-o", "json"], folder / "m.json", 2 * GIB)
        print(f"{'matrix -o json, 5,000 pods x 1,000 policies, 2 GiB':<58}{r}  exit {r.exit_code}, "
              f"{r.output_bytes / 2**20:.0f} MB of JSON")
        (folder / "m.json").unlink()
        if not args.quick:
            huge = _synthetic(folder, 10000, 2000)
            r = run([*NPKIT, "connlist", "-f", str(huge), "--compact"], folder / "c.txt", 4 * GIB)
            print(f"{'connlist --compact, 10,000 pods x 2,000 policies, 4 GiB':<58}{r}  exit {r.exit_code}, "
                  f"{r.output_bytes / 2**20:.0f} MB out")
            (folder / "c.txt").unlink()
        runs = {}
        for n in (6500, 65000):
            pods = _pods_without_addresses(folder / f"pods-{n}", n)
            runs[n] = run([*NPKIT, "check", "-f", str(pods)])
            print(f"{f'check, {n:,} pods without status.podIP':<58}{runs[n]}  exit {runs[n].exit_code}")
        small, large = runs[6500], runs[65000]
        print(f"loading 6,500 -> 65,000 pods (10x the input): {large.wall_s / small.wall_s:.1f}x the wall time, "
              f"{large.cpu_s / small.cpu_s:.1f}x the CPU time (target at most 10x)")


if __name__ == "__main__":
    main()

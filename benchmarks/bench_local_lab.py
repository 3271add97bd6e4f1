"""The local lab backend end to end: set up, apply, probe, tear down; prints seconds per phase.

Usage (root, Linux): python benchmarks/bench_local_lab.py [--timeout 1.0] [--rounds 3]

The scenario is the upstream e2e model: namespaces x, y, z, each with pods a, b, c serving
TCP 80 and 81 (9 pods). Policies: a default deny in x, an allow from y into x/a on 80, a
Calico tier with a Pass and a Deny, and a ClusterNetworkPolicy. Every one of the 81 pairs is
probed on both ports (162 real connections). Target on a 2-core machine: set up + apply +
probe + tear down ≤ 15 s. Observed and predicted matrices must agree (it says so).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from npkit.engine import Engine
from npkit.lab.backend import ProbeRequest
from npkit.lab.backends.local import LocalBackend, local_preflight
from npkit.lab.compare import observed_matrix
from npkit.lab.config import LocalConfig
from npkit.matrix import reachability
from npkit.model import (
    BUILTIN_TIERS,
    CalicoPolicy,
    CalicoRule,
    Cluster,
    ClusterNetworkPolicy,
    CNPPeer,
    CNPPort,
    CNPRule,
    CNPSubject,
    ContainerPort,
    EntityRule,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Peer,
    Pod,
    PolicyPort,
    Rule,
    Tier,
)

PORTS = (80, 81)
TARGET = 15.0


def scenario() -> Cluster:
    namespaces = {n: Namespace(n, {"kubernetes.io/metadata.name": n, "ns": n}) for n in "xyz"}
    pods = tuple(
        Pod(p, n, {"pod": p}, (ContainerPort(80, "TCP", "serve-80"), ContainerPort(81, "TCP", "serve-81")),
            ip=f"10.50.{i}.{j + 1}")
        for i, n in enumerate("xyz") for j, p in enumerate("abc")
    )
    tiers = {t.name: t for t in BUILTIN_TIERS} | {"security": Tier("security", 100.0, "Deny")}
    return Cluster(namespaces=namespaces, pods=pods, tiers=tiers)


def policies() -> list:
    ns_y = LabelSelector.of({"ns": "y"})
    return [
        NetworkPolicy("deny-all", "x", LabelSelector(), ("Ingress",)),
        NetworkPolicy("allow-y-to-a", "x", LabelSelector.of({"pod": "a"}), ("Ingress",),
                      ingress=(Rule((Peer(namespace_selector=ns_y),), (PolicyPort("TCP", 80),)),)),
        CalicoPolicy("z-guard", None, tier="security", order=10, selector="pod == 'b'", types=("Ingress",), ingress=(
            CalicoRule("Deny", source=EntityRule(selector="pod == 'c'", namespace_selector="ns == 'z'")),
            CalicoRule("Pass"),
        )),
        ClusterNetworkPolicy("admin-81", "Admin", 10, CNPSubject(LabelSelector.of({"ns": "z"})),
                             ingress=(CNPRule("Deny", (CNPPeer("namespaces", LabelSelector.of({"ns": "x"})),),
                                              (CNPPort("TCP", 81, 81),)),)),
    ]


def run_once(timeout: float) -> dict[str, float]:
    lab = LocalBackend(LocalConfig("bench"))
    figures: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        lab.up()
        deployed = lab.deploy(scenario())
        figures["setup"] = time.perf_counter() - t0
        t = time.perf_counter()
        lab.apply_tiers(list(deployed.tiers.values()))
        lab.apply(policies())
        figures["apply"] = time.perf_counter() - t
        keys = [p.key for p in deployed.pods]
        requests = [ProbeRequest(s, d, port) for port in PORTS for s in keys for d in keys]
        t = time.perf_counter()
        results = lab.probe(requests, timeout)
        figures["probe"] = time.perf_counter() - t
        engine = Engine(deployed.with_policies(policies()))
        figures["mismatches"] = 0
        for port in PORTS:  # compared as the labs compare (lab/compare.py)
            predicted = reachability(engine, port)
            observed = observed_matrix(predicted, [r for r in results if r.request.port == port], deployed)
            figures["mismatches"] += len(predicted.differences(observed))
        figures["denied"] = sum(not r.connected for r in results)
    finally:
        t = time.perf_counter()
        lab.down()
        figures["teardown"] = time.perf_counter() - t
    figures["total"] = figures["setup"] + figures["apply"] + figures["probe"] + figures["teardown"]
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--timeout", type=float, default=1.0, help="probe timeout in seconds (default 1, the labs')")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    problems = local_preflight()
    if problems:
        print(f"skipped: {problems[0]}")
        return 0
    rounds = [run_once(args.timeout) for _ in range(args.rounds)]
    print(f"local lab backend: 9 pods, {len(policies())} policies, 81 pairs x {len(PORTS)} ports "
          f"= {81 * len(PORTS)} probes, probe timeout {args.timeout:g} s, median of {args.rounds} rounds")
    for phase in ("setup", "apply", "probe", "teardown", "total"):
        print(f"  {phase:<9} {statistics.median(r[phase] for r in rounds):6.2f} s")
    print(f"  denied cells {int(rounds[0]['denied'])} of {81 * len(PORTS)}; "
          f"observed != predicted in {max(int(r['mismatches']) for r in rounds)} cells")
    total = statistics.median(r["total"] for r in rounds)
    print(f"  target total <= {TARGET:g} s: {'met' if total <= TARGET else 'MISSED'}")
    return 0 if all(r["mismatches"] == 0 for r in rounds) else 1


if __name__ == "__main__":
    sys.exit(main())

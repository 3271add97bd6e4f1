"""The kernel agrees with the evaluator: random scenarios, enforced by nftables, probed for real.

Each example is a random cluster from `tests.strategies.clusters()` (labels, Kubernetes,
Calico and ClusterNetworkPolicy policies, tiers with Deny or Pass defaults, ipBlocks and
network sets, named ports). It is deployed on one long-lived local lab (pods that did not
change keep their namespaces; the ruleset is swapped atomically), every pod serves every
probed port, and every pair is probed on each port. A cell where the kernel and the engine
disagree fails the test with the scenario as YAML, the engine's explanation and the
generated rules, ready to become a regression test.

A second run draws from `port_deciding_clusters()`, where named ports, protocols and port
ranges decide far more cells than in `clusters()`.

NPKIT_DIFF_EXAMPLES overrides the number of examples (default 200, plus half as many
port-deciding ones).
"""

from __future__ import annotations

import os
import time
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npkit.engine import Engine
from npkit.explain import render_verdict
from npkit.lab.backend import ProbeRequest
from npkit.lab.backends.local import LocalBackend
from npkit.lab.config import LocalConfig
from npkit.loading.dump import cluster_objects, dump_yaml
from npkit.model import Cluster, ContainerPort
from tests.strategies import clusters, port_deciding_clusters

from .support import lab_id, requires_netns

pytestmark = requires_netns

EXAMPLES = int(os.environ.get("NPKIT_DIFF_EXAMPLES", "200"))
PORT_EXAMPLES = EXAMPLES // 2  # more scenarios where named ports, protocols and ranges decide
# SCTP is left out: this kernel has no SCTP module (the backend reports it; see test_backend.py).
TRAFFIC = (("TCP", 80), ("TCP", 81), ("UDP", 53), ("TCP", 8080))
TIMEOUT = 0.4  # a local handshake takes well under a millisecond
RECHECK_TIMEOUT = 2.0  # a disagreeing cell is probed again, slowly, before it counts

STATS = {"examples": 0, "cells": 0, "kubernetes": 0, "seconds": 0.0}


@pytest.fixture(scope="module")
def shared_lab():
    backend = LocalBackend(LocalConfig(lab_id("diff")))
    backend.up()
    try:
        yield backend
    finally:
        backend.down()


def serving_everything(cluster: Cluster) -> Cluster:
    """Every pod also serves each probed port (unnamed, so named-port semantics do not change)."""
    pods = []
    for p in cluster.pods:
        have = {(cp.port, cp.protocol) for cp in p.ports}
        extra = tuple(ContainerPort(port, proto) for proto, port in TRAFFIC if (port, proto) not in have)
        pods.append(replace(p, ports=p.ports + extra))
    return replace(cluster, pods=tuple(pods))


def scenario_text(cluster: Cluster) -> str:
    return dump_yaml(cluster_objects(cluster))


def report(lab: LocalBackend, engine: Engine, cluster: Cluster, dataplane: str, bad: list) -> str:
    lines = [f"{len(bad)} cell(s) differ (dataplane {dataplane}):"]
    lines += [f"  {r.src} → {r.dst} {r.protocol}/{r.port}: engine {'allows' if e else 'denies'}, "
              f"kernel {o.outcome} ({o.detail})" for r, o, e in bad]
    pods = set()
    for request, _, _ in bad[:2]:  # the first two explained in full
        verdict = engine.verdict(request.src, request.dst, request.port, request.protocol)
        lines.append("\n" + render_verdict(verdict, verbose=True))
        pods |= {request.src, request.dst}
    lines.append("\n--- scenario ---\n" + scenario_text(cluster))
    for p in sorted(pods):
        lines.append(f"\n--- rules for {p} ---\n" + lab.rules(p))
    return "\n".join(lines)


def check_scenario(lab: LocalBackend, cluster: Cluster, dataplane: str) -> None:
    """Deploy, enforce and probe `cluster`; every cell must be what the engine says."""
    started = time.monotonic()
    lab.dataplane = dataplane
    lab.delete(list(lab.policies.values()))
    deployed = lab.deploy(serving_everything(cluster.with_policies(())))  # with its tiers and network sets
    lab.apply(list(cluster.policies))
    engine = Engine(deployed.with_policies(cluster.policies), dataplane)  # built apart from the backend
    assert engine.pods == tuple(sorted(p.key for p in deployed.pods))
    requests, expected = [], []
    for protocol, port in TRAFFIC:
        allowed = engine.reachability(port, protocol)
        for i, src in enumerate(engine.pods):
            for j, dst in enumerate(engine.pods):
                requests.append(ProbeRequest(src, dst, port, protocol))
                expected.append(bool(allowed[i, j]))
    results = lab.probe(requests, TIMEOUT)
    bad = [(r.request, r, e) for r, e in zip(results, expected, strict=True) if r.connected != e]
    if bad:  # rule out a slow machine: probe those cells again, patiently
        again = lab.probe([b[0] for b in bad], RECHECK_TIMEOUT)
        bad = [(b[0], r, b[2]) for b, r in zip(bad, again, strict=True) if r.connected != b[2]]
    assert not bad, report(lab, engine, cluster, dataplane, bad)
    odd = [r for r in results if r.outcome not in ("CONNECTED", "TIMEOUT")]
    assert not odd, f"every pod serves every probed port, yet: {odd[:3]}"
    STATS["examples"] += 1
    STATS["cells"] += len(requests)
    STATS["kubernetes"] += dataplane == "kubernetes"
    STATS["seconds"] += time.monotonic() - started


DATAPLANES = st.sampled_from(["calico", "calico", "calico", "kubernetes"])
SETTINGS = dict(deadline=None, database=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large])


@settings(max_examples=EXAMPLES, **SETTINGS)
@given(cluster=clusters(), dataplane=DATAPLANES)
def test_kernel_verdicts_equal_engine_verdicts(shared_lab, cluster, dataplane):
    check_scenario(shared_lab, cluster, dataplane)


@settings(max_examples=PORT_EXAMPLES, **SETTINGS)
@given(cluster=port_deciding_clusters(), dataplane=DATAPLANES)
def test_kernel_verdicts_equal_engine_verdicts_where_ports_decide(shared_lab, cluster, dataplane):
    check_scenario(shared_lab, cluster, dataplane)


def test_enough_scenarios_ran():
    """The runs above really covered the promised number of scenarios (printed with -s)."""
    if STATS["examples"] == 0:
        pytest.skip("the differential tests did not run")
    print(f"\ndifferential: {STATS['examples']} scenarios ({STATS['kubernetes']} on the kubernetes dataplane), "
          f"{STATS['cells']} probed cells, {STATS['seconds']:.1f} s")
    assert STATS["examples"] >= min(EXAMPLES, 200) + min(PORT_EXAMPLES, 100)

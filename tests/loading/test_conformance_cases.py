"""Every conformance case loads without errors or warnings, as the cluster the upstream e2e suite builds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from npkit.loading import load

CASES = sorted((Path(__file__).parent.parent / "data" / "conformance" / "k8s").glob("*.yaml"))


def test_the_cases_are_there():
    assert len(CASES) >= 8


@pytest.mark.parametrize("case", CASES, ids=[c.stem for c in CASES])
def test_case_loads_cleanly(case):
    cluster = load(case)
    assert cluster.diagnostics == ()
    expected = json.loads(case.with_name(case.stem + ".expect.json").read_text())
    pods = {p.key for p in cluster.pods}
    for probe in expected["probes"]:
        assert set(probe["allowed"]) == pods  # every pod the truth table names exists, and no other
    assert set(cluster.namespaces) == {"x", "y", "z"}
    assert not any(ns.implicit for ns in cluster.namespaces.values())
    assert all(p.ip and not p.ip_assigned for p in cluster.pods)
    assert len(cluster.network_policies) >= 1


def test_directory_of_cases_loads_as_one_cluster():
    # The cases repeat the same pods; later definitions replace earlier ones, with a warning each.
    cluster = load(CASES[0].parent)
    assert len(cluster.pods) == 9
    assert all("defined twice" in w.message for w in cluster.warnings)

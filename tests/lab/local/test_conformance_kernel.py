"""The upstream conformance sample, enforced by the kernel: the local backend's observed matrices
equal the upstream e2e expectations cell by cell (off the diagonal, as upstream checks them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from npkit.cli.main import main

from .support import lab_id, requires_netns

pytestmark = requires_netns

CASES = sorted((Path(__file__).resolve().parents[2] / "data" / "conformance" / "k8s").glob("*.yaml"))


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_the_kernel_enforces_what_upstream_expects(case, capsys):
    expect = json.loads(case.with_name(case.name.replace(".yaml", ".expect.json")).read_text())["probes"]
    args = ["lab", "run", "-f", str(case), "--backend", "local", "-o", "json", "--lab-id", lab_id("conf"),
            "--timeout", "0.5"]
    for probe in expect:
        args += ["--port", f"{probe['port']}/{probe['protocol']}"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    observed = out["probes"] if "probes" in out else [out]
    assert len(observed) == len(expect)
    for want, got in zip(expect, observed, strict=True):
        assert (got["port"], got["protocol"]) == (want["port"], want["protocol"])
        wrong = [(s, d, e) for s, row in want["allowed"].items() for d, e in row.items()
                 if s != d and got["allowed"][s][d] != e]
        assert not wrong, f"{case.stem} {want['protocol']}/{want['port']}: kernel differs (src, dst, expected): {wrong}"
        assert got["backend"] == "local" and got["observed"]  # really enforced, not predicted
        assert got["mismatches"] == []  # and it equals the evaluator's prediction

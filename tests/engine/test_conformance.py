"""The Kubernetes conformance sample (translated upstream e2e cases), cell by cell.

`npkit matrix -o json` must produce exactly the `allowed` shape of each probe. The diagonal
(self traffic) is not checked upstream and npkit always allows it, so it is skipped.
"""

import json
from pathlib import Path

import pytest

from npkit.cli.main import main

CASES = sorted((Path(__file__).parent.parent / "data" / "conformance" / "k8s").glob("*.yaml"))


def _probes(case: Path):
    expect = json.loads(case.with_name(case.name.replace(".yaml", ".expect.json")).read_text())
    return expect["probes"]


@pytest.mark.parametrize("dataplane", ["calico", "kubernetes"])
@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_conformance_case(case, dataplane, capsys):
    assert CASES, "conformance cases missing"
    for probe in _probes(case):
        rc = main(["matrix", "-f", str(case), "--port", str(probe["port"]), "--protocol", probe["protocol"],
                   "-o", "json", "--dataplane", dataplane])
        assert rc == 0
        out = json.loads(capsys.readouterr().out)
        assert set(out["allowed"]) == set(probe["allowed"])
        wrong = [
            (src, dst, expected)
            for src, row in probe["allowed"].items()
            for dst, expected in row.items()
            if src != dst and out["allowed"][src][dst] != expected
        ]
        assert not wrong, f"{case.stem} {probe['protocol']}/{probe['port']}: cells differ (src, dst, expected): {wrong}"


def test_there_are_conformance_cases():
    assert len(CASES) >= 8

"""npkit matrix: tables and JSON written as they are computed, and one pod's row or column of a cluster."""

from __future__ import annotations

import json
from pathlib import Path

from npkit.cli.main import main
from npkit.engine import Engine
from npkit.loading import load
from npkit.matrix import reachability_many

LAB = sorted(str(p) for p in (Path(__file__).parent.parent / "labs" / "scenarios").glob("lab-02-*.yaml"))


def test_json_is_the_documented_shape_for_one_and_for_several_probes(capsys):
    engine = Engine(load(*LAB))
    for ports in (["80"], ["80", "53/UDP"]):
        assert main(["matrix", "-f", *LAB, *[a for p in ports for a in ("--port", p)], "-o", "json"]) == 0
        out = json.loads(capsys.readouterr().out)
        docs = [m.to_json() for m in reachability_many(engine, [(int(p.split("/")[0]), (p.split("/") + ["TCP"])[1])
                                                                 for p in ports])]
        for d in docs:
            d["dataplane"] = "calico"
            d["assigned_ips"] = {p.key: p.ip for p in engine.cluster.pods}
        assert out == (docs[0] if len(docs) == 1 else {"probes": docs})


def test_from_and_to_keep_one_row_and_one_column(capsys):
    assert main(["matrix", "-f", *LAB, "--from", "np-demo/other", "-o", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["allowed"] == {"np-demo/other": {"np-demo/frontend": True, "np-demo/other": True, "np-demo/web": False}}
    assert main(["matrix", "-f", *LAB, "--to", "np-demo/web"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[1].split("│")[1].split() == ["web"]
    assert [line.split("│")[1].strip() for line in table[3:6]] == ["✓", "·", "✓"]


def test_from_a_pod_that_does_not_exist_is_a_usage_error(capsys):
    assert main(["matrix", "-f", *LAB, "--from", "web"]) == 2
    assert "--from 'web' is not a loaded pod; did you mean np-demo/web?" in capsys.readouterr().err

"""`npkit diff` as a user runs it: summary first, explanations, --exit-code, JSON, bad input."""

from __future__ import annotations

import json

import pytest

from npkit.cli.main import main

from ..lint.conftest import CLUSTER
from .test_diff import FRONTEND_8080


@pytest.fixture
def paths(tmp_path):
    old, new, same, pods = (tmp_path / n for n in ("old.yaml", "new.yaml", "same.yaml", "pods.yaml"))
    pods.write_text(CLUSTER)
    old.write_text(FRONTEND_8080)
    new.write_text(FRONTEND_8080.replace("{app: frontend}", "{app: db}"))
    same.write_text(FRONTEND_8080.replace("port: 8080", "port: http"))
    return {"old": str(old), "new": str(new), "same": str(same), "pods": str(pods)}


def test_text_starts_with_the_summary_and_explains_both_sides(paths, capsys):
    assert main(["diff", "-f", paths["pods"], paths["old"], "--against", paths["new"]]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("1 newly allowed, 1 newly denied (of ")
    assert out[1].startswith("compared over 5 pods on ports ")
    assert "  app/db → app/backend TCP/8080" in out and "    before: DENIED" in out and "    after: ALLOWED" in out


def test_exit_code_like_git_diff(paths, capsys):
    assert main(["diff", "-f", paths["pods"], paths["old"], "--against", paths["new"], "--exit-code"]) == 1
    assert main(["diff", "-f", paths["pods"], paths["old"], "--against", paths["same"], "--exit-code"]) == 0
    assert capsys.readouterr().out.splitlines()[-2].startswith("equivalent: all ")


def test_brief_and_ports(paths, capsys):
    assert main(["diff", "-f", paths["pods"], paths["old"], "--against", paths["new"], "--brief",
                 "--port", "8080", "--port", "53/UDP"]) == 0
    out = capsys.readouterr().out
    assert "on port 8080 (TCP) and port 53 (UDP)" in out and "before:" not in out
    assert out.splitlines()[0] == "1 newly allowed, 1 newly denied (of 50 connections compared)"


def test_json(paths, capsys):
    assert main(["diff", "-f", paths["pods"], paths["old"], "--against", paths["new"], "-o", "json",
                 "--port", "8080"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [(c["from"], c["to"]) for c in doc["newly_allowed"]] == [("app/db", "app/backend")]
    assert doc["newly_denied"][0]["after"]["allowed"] is False


@pytest.mark.parametrize("argv, words", [
    (["--against", "{new}", "--port", "99999"], "ports run from 1 to 65535"),
    (["--against", "{new}", "--port", "http"], "expected a number"),
    (["--against", "-", "-f", "-"], "only one side can be read from stdin"),
])
def test_usage_errors_exit_2(paths, capsys, argv, words):
    argv = [a.format(**paths) for a in argv]
    assert main(["diff", "-f", paths["pods"], paths["old"], *argv]) == 2
    assert words in capsys.readouterr().err


def test_no_pods_exits_2(paths, capsys):
    assert main(["diff", "-f", paths["old"], "--against", paths["new"]]) == 2
    assert "no pods were loaded" in capsys.readouterr().err


def test_bad_yaml_exits_2(paths, capsys, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: NetworkPolicy\n  - : [\n")
    assert main(["diff", "-f", paths["pods"], paths["old"], "--against", str(bad)]) == 2
    assert "bad.yaml:" in capsys.readouterr().err

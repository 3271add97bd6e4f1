"""npkit connlist on the command line: formats, focus, grouping and Graphviz."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from npkit.cli.main import main

LAB = sorted(str(p) for p in (Path(__file__).parent.parent.parent / "labs" / "scenarios").glob("lab-02-*.yaml"))


def test_txt_lists_what_the_allow_frontend_lab_allows(capsys):
    assert main(["connlist", "-f", *LAB]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "np-demo/frontend[Pod] => np-demo/web[Pod] : TCP 80" in lines
    assert not any(line.startswith("np-demo/other[Pod] => np-demo/web[Pod]") for line in lines)
    assert len(lines) == 10


def test_json_keeps_stdout_a_document(capsys):
    assert main(["connlist", "-f", *LAB, "-o", "json", "--group", "pods"]) == 0
    out = capsys.readouterr()
    assert {"src": "np-demo/frontend", "dst": "np-demo/web", "conn": "TCP 80"} in json.loads(out.out)


def test_focus_on_nothing_known_is_a_usage_error(capsys):
    assert main(["connlist", "-f", *LAB, "--focus", "np-demo/nobody"]) == 2
    err = capsys.readouterr().err
    assert "--focus 'np-demo/nobody' names no workload or pod" in err and "np-demo/web[Pod]" in err


def test_svg_without_graphviz_prints_the_dot_text_and_says_so(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot here
    assert main(["connlist", "-f", *LAB, "-o", "svg"]) == 0
    out = capsys.readouterr()
    assert out.out.startswith("digraph {") and "Graphviz is not installed" in out.err


def test_svg_hands_the_graph_to_graphviz(capfd, monkeypatch, tmp_path):
    dot = tmp_path / "dot"  # a stand-in that proves what npkit sends and how it asks
    dot.write_text('#!/bin/sh\necho "<svg args=\\"$*\\">"; grep -c " -> " ; echo "</svg>"\n')
    dot.chmod(dot.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ['PATH']}")
    assert main(["connlist", "-f", *LAB, "-o", "svg"]) == 0
    assert capfd.readouterr().out.splitlines() == ['<svg args="-Tsvg">', "10", "</svg>"]

"""`npkit lint` as a user runs it: output, exit codes 0 / 1 / 2, JSON, --ignore, --list-rules."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from npkit.cli.main import main

from .conftest import BASELINE, CLUSTER
from .test_isolation import EGRESS_DENY
from .test_rule_shape import AND_OR
from .test_selection import k8s_policy


@pytest.fixture
def files(tmp_path):
    def write(**docs: str) -> list[str]:
        paths = []
        for name, text in docs.items():
            path = tmp_path / f"{name}.yaml"
            path.write_text(text)
            paths.append(str(path))
        return paths
    return write


def test_warnings_only_exit_0_and_print_findings_then_the_summary(files, capsys):
    paths = files(pods=CLUSTER, policies=BASELINE + "---\n" + k8s_policy("allow-ingress-from-monitoring", AND_OR))
    assert main(["lint", "-f", *paths]) == 0
    out = capsys.readouterr().out
    assert "policies.yaml:" in out and "warning NP301 [and-or-peers]" in out
    assert "warning NP202 [peer-matches-nothing]" in out  # role=monitor is not in namespace app
    assert out.rstrip().endswith("2 findings: 2 warnings")


def test_an_error_finding_exits_1(files, capsys):
    assert main(["lint", "-f", *files(pods=CLUSTER, policies=EGRESS_DENY)]) == 1
    assert "error NP101 [dns-egress]" in capsys.readouterr().out


def test_a_clean_input_exits_0(files, capsys):
    assert main(["lint", "-f", *files(pods=CLUSTER, policies=BASELINE)]) == 0
    assert capsys.readouterr().out.strip() == "no findings"


def test_json_output_is_one_document(files, capsys):
    assert main(["lint", "-f", *files(pods=CLUSTER, policies=EGRESS_DENY), "-o", "json", "--ignore", "NP103"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert doc["counts"]["error"] == 1 and {f["rule"] for f in doc["findings"]} == {"NP101"}


def test_ignore_takes_names_and_ids(files, capsys):
    paths = files(pods=CLUSTER, policies=EGRESS_DENY)
    assert main(["lint", "-f", *paths, "--ignore", "dns-egress", "default-deny"]) == 0
    assert capsys.readouterr().out.strip() == "no findings"


def test_bad_input_exits_2_with_file_line_and_path(files, capsys):
    bad = "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: x}\nspec:\n  ingress:\n  - ports: [{port: 99999}]\n"
    assert main(["lint", "-f", *files(bad=bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.yaml:6: error:" in err and "spec.ingress[0].ports[0].port" in err


@pytest.mark.parametrize("argv, words", [
    (["lint"], "give the policies"),
    (["lint", "-f", "x.yaml", "--ignore", "NP999"], "unknown lint rule NP999"),
])
def test_usage_errors_exit_2(argv, words, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.yaml").write_text(CLUSTER)
    assert main(argv) == 2
    assert words in capsys.readouterr().err


def test_list_rules(capsys):
    assert main(["lint", "--list-rules"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("NP001  no-pods") and "NP403  shadowed-rule" in out


def test_the_installed_command_never_shows_a_traceback(files):
    paths = files(pods=CLUSTER, policies=EGRESS_DENY)
    done = subprocess.run([sys.executable, "-m", "npkit.cli.main", "lint", "-f", *paths],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr and "NP101" in done.stdout

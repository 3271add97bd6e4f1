"""Findings as a user sees them: text, JSON, HTML, order, filters, and the rule catalogue."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from npkit.lint import RULES, Findings, lint, resolve
from npkit.lint.context import locate
from npkit.loading import load_string

from .conftest import CLUSTER, run
from .test_rule_shape import AND_OR
from .test_selection import k8s_policy

DOCS = Path(__file__).resolve().parents[2] / "docs" / "lint-rules.md"
TRAP = k8s_policy("allow-ingress-from-monitoring", AND_OR)


def test_text_has_location_rule_object_path_message_fix_and_a_summary():
    text = str(run(TRAP, "NP301", "NP901"))
    head = text.splitlines()[0]
    assert re.fullmatch(r"policies\.yaml:\d+: warning NP301 \[and-or-peers\] NetworkPolicy "
                        r"app/allow-ingress-from-monitoring spec\.ingress\[0\]\.from\[1\]", head)
    assert "\n    fix: for AND" in text
    assert text.endswith("1 finding: 1 warning")


def test_findings_are_sorted_by_file_and_line():
    found = run(TRAP + "---\n" + k8s_policy("allow-x", "  podSelector: {matchLabels: {app: nothing}}\n"))
    lines = [(f.origin.file, f.origin.line) for f in found]
    assert lines == sorted(lines)


def test_json_has_every_field():
    doc = run(TRAP, "NP301").to_json()
    json.dumps(doc)
    [f] = doc["findings"]
    assert doc["counts"] == {"error": 0, "warning": 1, "info": 0}
    assert {k: f[k] for k in ("rule", "name", "severity", "kind", "namespace", "object", "path", "file")} == {
        "rule": "NP301", "name": "and-or-peers", "severity": "warning", "kind": "NetworkPolicy", "namespace": "app",
        "object": "allow-ingress-from-monitoring", "path": "spec.ingress[0].from[1]", "file": "policies.yaml"}
    assert f["line"] > 0 and f["message"] and f["fix"]


def test_html_escapes_and_shows_severity_and_fix():
    html = run(TRAP, "NP301")._repr_html_()
    assert "<table>" in html and "NP301" in html and "fix:" in html and "&gt;" not in html.split("<table>")[0]
    assert "no findings" in Findings()._repr_html_()


def test_filters_by_rule_and_severity():
    found = run("", "NP103", "NP001")
    assert found.of("default-deny") == found.of("NP103") and len(found.of("np103")) == 2
    assert found.at_least("warning") == found and not found.errors


def test_ignore_and_only_accept_ids_and_names():
    assert not run("", "NP103", ignore=["default-deny"])
    with pytest.raises(ValueError, match="unknown lint rule NP999"):
        run("", ignore=["NP999"])
    assert resolve(["naming", "np103"]) == {"NP901", "NP103"}


def test_the_line_of_a_missing_field_falls_back_to_its_parent_then_the_object():
    policy = load_string(CLUSTER + "---\n" + TRAP, "p.yaml").network_policies[0]
    assert locate(policy, "spec.ingress[0].from[1].nothing") == locate(policy, "spec.ingress[0].from[1]")
    assert locate(policy, "status.x") == policy.origin


def test_a_clean_cluster_says_so():
    only_dns = "---\n".join(doc for doc in CLUSTER.split("---\n") if "kube-system" in doc)
    found = lint(load_string(only_dns))
    assert found == [] and str(found) == "no findings"


def test_rule_ids_follow_the_scheme():
    for rule in RULES.values():
        assert re.fullmatch(r"NP\d{3}", rule.id) and re.fullmatch(r"[a-z0-9-]+", rule.name)
        assert rule.severity in ("error", "warning", "info")


def test_every_rule_is_documented_with_an_example_and_a_fix():
    text = DOCS.read_text()
    for rule in RULES.values():
        heading = rf"^## {rule.id} `{rule.name}` \({rule.severity}[;,)][^\n]*\n"
        section = re.search(heading + r"(.*?)(?=^## |\Z)", text, re.M | re.S)
        assert section, f"docs/lint-rules.md lacks '## {rule.id} `{rule.name}` ({rule.severity})'"
        assert "Fix" in section.group(1), f"{rule.id}: no fix in the docs"

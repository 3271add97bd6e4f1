"""`npkit check` summarises in plain English, and engine notes are said once per command."""

from pathlib import Path

from npkit.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CASE = str(ROOT / "tests/data/conformance/k8s/010-podselector-and-nsselector.yaml")
CHAPTER = ROOT / "npkit/data/chapter"


def test_check_counts_policies_with_their_plurals(capsys):
    assert main(["check", "-f", CASE, str(CHAPTER / "default-deny-ingress.yaml"),
                 str(CHAPTER / "block-malicious-ips.yaml"), str(CHAPTER / "deny-external-egress.yaml")]) == 0
    first = capsys.readouterr().out.splitlines()[0]
    assert first == "OK: 4 namespaces, 9 pods, 2 NetworkPolicies, 2 Calico policies, 1 tier"


def test_diff_says_each_dataplane_note_once(capsys):
    assert main(["diff", "-f", CASE, str(CHAPTER / "block-malicious-ips.yaml"),
                 "--against", str(CHAPTER / "deny-external-egress.yaml"),
                 "--dataplane", "kubernetes", "--port", "80"]) == 0
    notes = [line for line in capsys.readouterr().err.splitlines() if line.startswith("note:")]
    assert len(notes) == 1 and "no effect on the kubernetes dataplane" in notes[0]

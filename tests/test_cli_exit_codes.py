"""One error hierarchy (npkit/errors.py) and the exit code of every outcome, as a user of `npkit` sees them."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import npkit.errors as errors
from npkit.cli.commands import check
from npkit.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
CASE = str(ROOT / "tests/data/conformance/k8s/010-podselector-and-nsselector.yaml")
CHAPTER = ROOT / "npkit/data/chapter"


# -- the hierarchy ------------------------------------------------------------------------


def test_every_npkit_exception_has_one_root_and_its_old_home_still_works():
    from npkit.cli.common import UsageError
    from npkit.cluster.guard import UnsafeTarget
    from npkit.cluster.kube import KubeError
    from npkit.cluster.manifests import ScenarioError
    from npkit.cluster.readiness import Timeout
    from npkit.lab.backend import LabError
    from npkit.model import InputError
    from npkit.selectors import SelectorSyntaxError

    assert (InputError, UsageError, LabError, KubeError, UnsafeTarget, Timeout, ScenarioError,
            SelectorSyntaxError) == (errors.InputError, errors.UsageError, errors.LabError, errors.KubeError,
                                     errors.UnsafeTarget, errors.NotReady, errors.ScenarioError,
                                     errors.SelectorSyntaxError)
    for cls in vars(errors).values():
        if isinstance(cls, type) and issubclass(cls, Exception):
            assert issubclass(cls, errors.NpkitError), cls


def test_the_former_value_errors_are_still_value_errors():
    for cls in (errors.SelectorSyntaxError, errors.ScenarioError, errors.CompileError):
        assert issubclass(cls, ValueError)


@pytest.mark.parametrize("cls, code", [
    (errors.InputError, 2), (errors.SelectorSyntaxError, 2), (errors.ScenarioError, 2), (errors.CompileError, 2),
    (errors.UsageError, 2), (errors.LabError, 69), (errors.KubeError, 69), (errors.UnsafeTarget, 69),
    (errors.NotReady, 69), (errors.InternalError, 70), (errors.NpkitError, 70),
])
def test_each_kind_of_error_has_its_exit_code(cls, code):
    assert cls.exit_code == code


def test_the_hierarchy_module_imports_nothing_from_npkit_at_run_time():
    tree = ast.parse(Path(errors.__file__).read_text())
    runtime = [n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not [n.module for n in runtime if isinstance(n, ast.ImportFrom) and (n.level or "npkit" in (n.module or ""))]


def test_errors_survive_pickling_with_their_details():
    from npkit import load_string

    with pytest.raises(errors.InputError) as caught:
        load_string("apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad_Name}\n")
    for e in (caught.value, errors.SelectorSyntaxError("use ==", 5, "app = 'web'"), errors.ScenarioError("no")):
        again = pickle.loads(pickle.dumps(e))
        assert type(again) is type(e) and str(again) == str(e)
    assert pickle.loads(pickle.dumps(caught.value)).errors == caught.value.errors


def test_a_policy_naming_a_missing_tier_is_a_compile_error_not_a_bare_value_error():
    from npkit import Engine, load_string

    cluster = load_string("apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata: {name: security}\nspec: {order: 1}\n"
                          "---\napiVersion: projectcalico.org/v3\nkind: GlobalNetworkPolicy\nmetadata: {name: p}\n"
                          "spec: {tier: security, selector: all()}\n")
    del cluster.tiers["security"]  # as code building a Cluster by hand might leave it
    with pytest.raises(errors.CompileError, match="tier 'security'"):
        Engine(cluster)


# -- exit codes through `npkit` ----------------------------------------------------------


def test_0_success(capsys):
    assert main(["check", "-f", CASE]) == 0
    assert capsys.readouterr().out.startswith("OK:")


def test_1_findings_from_lint_and_from_diff_exit_code(tmp_path, capsys):
    assert main(["lint", "-f", CASE, str(CHAPTER / "log-denied.yaml")]) == 1
    deny = tmp_path / "deny.yaml"
    deny.write_text("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: deny, namespace: 'y'}\n"
                    "spec: {podSelector: {}}\n")
    assert main(["diff", "-f", CASE, "--against", CASE, str(deny), "--exit-code", "--port", "80"]) == 1
    assert main(["diff", "-f", CASE, "--against", CASE, "--exit-code", "--port", "80"]) == 0


def test_2_invalid_input_lists_every_error_then_a_summary(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: Bad_Name}\n---\nkind: Pod\n")
    assert main(["check", "-f", str(bad)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{bad}:3: error: Namespace Bad_Name: metadata.name:")
    assert err[-1] == "npkit: 2 errors in the input; nothing was evaluated"


def test_2_usage_errors_name_the_command(capsys):
    assert main(["explain", "-f", CASE, "--from", "x/a", "--to", "y/b"]) == 2
    assert capsys.readouterr().err == "npkit explain: --port is required for TCP\n"
    with pytest.raises(SystemExit) as e:  # argparse's own usage errors keep its code
        main(["check", "--no-such-option"])
    assert e.value.code == 2


def test_diff_reports_the_errors_of_both_sides_at_once(tmp_path, capsys):
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text("kind: Pod\n")
    new.write_text("apiVersion: v1\nkind: Namespcae\nmetadata: {name: x}\n")
    assert main(["diff", "-f", str(old), "--against", str(new)]) == 2
    err = capsys.readouterr().err
    assert "old.yaml:1:" in err and "new.yaml:2:" in err and "2 errors in the input" in err


@pytest.mark.parametrize("error", [
    errors.LabError("docker is not running; start it"),
    errors.KubeError("the API server at https://127.0.0.1:6443 is not answering"),
    errors.NotReady("still not ready after 300 s: calico-node"),
    errors.UnsafeTarget("context prod is not the lab's"),
])
def test_69_when_the_environment_stops_npkit(monkeypatch, capsys, error):
    def run(args):
        raise error
    monkeypatch.setattr(check, "run", run)
    assert main(["check", "-f", CASE]) == 69
    assert capsys.readouterr().err == f"npkit check: {error}\n"


@pytest.mark.parametrize("error", [RuntimeError("boom"), errors.InternalError("loader returned a str")])
def test_70_internal_errors_say_they_are_bugs_without_a_traceback(monkeypatch, capsys, error):
    def run(args):
        raise error
    monkeypatch.setattr(check, "run", run)
    monkeypatch.delenv("NPKIT_DEBUG", raising=False)
    assert main(["check", "-f", CASE]) == 70
    err = capsys.readouterr().err
    assert err.startswith(f"npkit: internal error: {type(error).__name__}: ") and "bug in npkit" in err
    assert "Traceback" not in err
    monkeypatch.setenv("NPKIT_DEBUG", "1")
    assert main(["check", "-f", CASE]) == 70
    assert "Traceback" in capsys.readouterr().err


def test_130_when_interrupted_in_process(monkeypatch, capsys):
    def run(args):
        raise KeyboardInterrupt
    monkeypatch.setattr(check, "run", run)
    assert main(["check", "-f", CASE]) == 130
    assert capsys.readouterr().err == "npkit: interrupted\n"


def test_a_closed_pipe_ends_quietly():
    reader = subprocess.run(f"{sys.executable} -m npkit.cli.main matrix -f {CASE} --port 80 | head -c 10",
                            shell=True, capture_output=True, text=True, cwd=ROOT)
    assert reader.stdout and reader.stderr == ""


def test_a_full_disk_is_an_environment_problem_not_a_traceback():
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with open("/dev/full", "w") as full:
        done = subprocess.run([sys.executable, "-m", "npkit.cli.main", "check", "-f", CASE], stdout=full,
                              stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert done.returncode == 69, done.stderr
    assert done.stderr == "npkit check: cannot write the output: No space left on device\n"


# -- where the codes are written down ------------------------------------------------------


def test_help_and_the_readme_list_the_exit_codes(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert errors.EXIT_CODES_HELP in capsys.readouterr().out
    assert errors.EXIT_CODES_HELP in (ROOT / "README.md").read_text()

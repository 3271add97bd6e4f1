"""The lab notebooks' front end: the opt-in button to the local backend, and open_lab."""

import pytest

from npkit.lab import notebook, select
from npkit.lab.config import LocalConfig
from npkit.lab.notebook import local_opt_in, open_lab
from npkit.loading import load_string

from .fakes import SimBackend
from .test_session import SCENARIO


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    monkeypatch.delenv("NPKIT_LAB_BACKEND", raising=False)

    class Unreachable(SimBackend):
        def usable(self):
            return ["no kind cluster"]

    select.register_backend("kind", lambda config: Unreachable(), automatic=True)
    select.register_backend("local", lambda config: SimBackend(lab_id=config.lab_id), LocalConfig)
    return select


def test_the_button_says_what_it_creates_and_clicking_it_opts_in(registry, monkeypatch):
    monkeypatch.setattr(notebook.LocalOptIn, "problems", lambda self: [])
    opt_in = local_opt_in()
    box = opt_in.widget()
    button, label = box.children
    assert button.description == "Run this lab on this machine" and not button.disabled
    assert "network namespaces and nftables rules on this machine; needs root" in label.value
    assert not opt_in
    button.click()
    assert opt_in.granted and button.disabled and "run the next cell" in label.value


def test_the_button_is_disabled_with_the_reason_where_the_local_backend_cannot_run(registry, monkeypatch):
    monkeypatch.setattr(notebook.LocalOptIn, "problems", lambda self: ["the local lab backend needs root"])
    button, label = local_opt_in().widget().children
    assert button.disabled and "cannot run here: the local lab backend needs root" in label.value
    monkeypatch.setenv("NPKIT_LAB_BACKEND", "local")
    button, label = local_opt_in().widget().children
    assert button.disabled and "NPKIT_LAB_BACKEND=local is set" in label.value


def test_open_lab_predicts_without_the_opt_in_and_observes_with_it(registry, capsys):
    lab = open_lab("lab-02", load_string(SCENARIO))
    assert lab.backend.name == "predict"
    out = capsys.readouterr().out  # the front end prints the banner into the cell's output
    assert "PREDICTED, NOT OBSERVED" in out and "Run this lab on this machine" not in out
    assert "opt-in button in the lab notebook" in out
    opt_in = local_opt_in()
    opt_in.grant()
    lab = open_lab("lab-02", load_string(SCENARIO), local=opt_in)
    assert lab.backend.name == "sim" and "you opted in to the local backend" in capsys.readouterr().out


def test_a_lab_left_open_is_cleaned_up_when_the_kernel_exits(registry, monkeypatch):
    registered = []
    monkeypatch.setattr(notebook.atexit, "register", lambda fn, *args: registered.append((fn, args)))
    lab = open_lab("lab-02", load_string(SCENARIO), local=True)
    lab.deploy()
    assert lab.dirty and lab.backend.scenario is not None
    [(fn, args)] = registered
    fn(*args)  # what the interpreter does at exit
    assert not lab.dirty and lab.backend.scenario is None

"""Choosing the backend: NPKIT_LAB_BACKEND, the automatic order, and the banner."""

import pytest

from npkit.lab import select
from npkit.lab.backend import LabError
from npkit.lab.backends.predict import PredictBackend

from .fakes import SimBackend


class Unusable(SimBackend):
    name = "broken"

    def usable(self):
        return ["it is a test double that never works"]


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    return select._REGISTRY


def test_prediction_when_nothing_observing_is_usable(registry):
    registry["kind"] = Unusable
    registry["local"] = Unusable
    choice = select.choose_backend(env={})
    assert isinstance(choice.backend, PredictBackend) and not choice.backend.observes
    assert [name for name, _ in choice.skipped] == ["kind", "local"]
    banner = choice.banner()
    assert "PREDICTED, NOT OBSERVED" in banner and "not kind: it is a test double" in banner


def test_auto_order_prefers_kind_then_local(registry):
    registry["kind"] = Unusable
    registry["local"] = lambda lab_id=None: SimBackend(lab_id=lab_id)
    choice = select.choose_backend(env={}, lab_id="lab-01", cluster="ignored-by-sim")
    assert choice.backend.name == "sim" and choice.backend.lab_id == "lab-01"
    assert "observed on a real dataplane" in choice.banner()
    registry["kind"] = SimBackend
    assert select.choose_backend(env={}).skipped == []


def test_the_environment_variable_overrides_the_choice(registry):
    registry["kind"] = SimBackend
    choice = select.choose_backend(env={"NPKIT_LAB_BACKEND": "predict"})
    assert choice.backend.name == "predict" and "NPKIT_LAB_BACKEND=predict" in choice.banner()


def test_a_forced_backend_that_cannot_run_is_an_error_not_a_silent_fallback(registry):
    registry["kind"] = Unusable
    with pytest.raises(LabError, match="NPKIT_LAB_BACKEND=kind, but that backend cannot run here"):
        select.choose_backend(env={"NPKIT_LAB_BACKEND": "kind"})
    with pytest.raises(LabError, match="unknown lab backend 'nope'"):
        select.choose_backend(env={"NPKIT_LAB_BACKEND": "nope"})


def test_a_backend_module_that_is_missing_or_broken_is_skipped(registry):
    registry["kind"] = "npkit.lab.backends.no_such_module:Backend"

    def explode(**_):
        raise RuntimeError("boom")

    registry["local"] = explode
    choice = select.choose_backend(env={})
    assert choice.backend.name == "predict"
    assert dict(choice.skipped)["kind"].startswith("the kind backend is not installed")
    assert dict(choice.skipped)["local"] == "RuntimeError: boom"


def test_register_backend_plugs_a_new_one_in_by_name(registry):
    select.register_backend("sim", SimBackend)
    assert "sim" in select.backend_names()
    assert select.choose_backend(env={"NPKIT_LAB_BACKEND": "sim"}).backend.name == "sim"

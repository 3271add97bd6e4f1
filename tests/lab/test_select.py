"""Choosing the backend: named, NPKIT_LAB_BACKEND, opt-in, the automatic order, typed options, the banner."""

import pytest

from npkit.lab import select
from npkit.lab.backend import LabConfigError, LabError
from npkit.lab.backends.predict import PredictBackend
from npkit.lab.config import KindConfig, LocalConfig

from .fakes import SimBackend


class Unusable(SimBackend):
    name = "broken"

    def usable(self):
        return ["it is a test double that never works"]


@pytest.fixture
def registry(monkeypatch):
    monkeypatch.setattr(select, "_REGISTRY", dict(select._REGISTRY))
    return select._REGISTRY


def fake(name, backend_type, automatic=False, config_type=None):
    spec = select._REGISTRY.get(name)
    select.register_backend(name, backend_type, config_type or (spec.config_type if spec else select.BackendConfig),
                            automatic=automatic)


def test_prediction_when_no_kind_cluster_is_reachable_and_how_to_opt_in(registry):
    fake("kind", Unusable, automatic=True)
    choice = select.choose_backend(env={})
    assert isinstance(choice.backend, PredictBackend) and not choice.backend.observes
    assert [name for name, _ in choice.skipped] == ["kind"]  # local is never tried unasked
    banner = choice.banner()
    assert "PREDICTED, NOT OBSERVED" in banner and "not kind: it is a test double" in banner
    assert "--backend local" in banner and "network namespaces and nftables rules on this machine" in banner


def test_the_local_backend_is_never_chosen_automatically(registry):
    fake("kind", Unusable, automatic=True)
    created = []
    select.register_backend("local", lambda config: created.append(config) or SimBackend(), LocalConfig)
    assert select.choose_backend(env={}).backend.name == "predict"
    assert created == []  # not even built (its preflight creates a namespace)


def test_kind_is_chosen_when_reachable(registry):
    fake("kind", SimBackend, automatic=True)
    choice = select.choose_backend(env={}, lab_id="lab-01", cluster="npkit-lab")
    assert choice.backend.name == "sim" and choice.backend.lab_id == "lab-01" and choice.skipped == []
    assert "kind is available here" in choice.banner()


@pytest.mark.parametrize("how", ["requested", "env", "opt-in"])
def test_the_local_backend_runs_when_asked_in_any_of_three_ways(registry, how):
    fake("kind", SimBackend, automatic=True)  # even with a kind cluster up, the named one wins
    select.register_backend("local", lambda config: SimBackend(lab_id=config.lab_id), LocalConfig)
    kwargs = {"requested": {"requested": "local"}, "env": {"env": {"NPKIT_LAB_BACKEND": "local"}},
              "opt-in": {"allow_local": True}}[how]
    choice = select.choose_backend(**{"env": {}, **kwargs}, lab_id="lab-02")
    assert choice.backend.lab_id == "lab-02"
    assert choice.reason in ("the local backend was named (--backend local)", "NPKIT_LAB_BACKEND=local",
                             "you opted in to the local backend")


def test_the_environment_variable_overrides_the_automatic_choice(registry):
    fake("kind", SimBackend, automatic=True)
    choice = select.choose_backend(env={"NPKIT_LAB_BACKEND": "predict"})
    assert choice.backend.name == "predict" and "NPKIT_LAB_BACKEND=predict" in choice.banner()


def test_a_named_backend_that_cannot_run_is_an_error_not_a_silent_fallback(registry):
    fake("kind", Unusable, automatic=True)
    with pytest.raises(LabError, match="NPKIT_LAB_BACKEND=kind, but the kind backend cannot run here"):
        select.choose_backend(env={"NPKIT_LAB_BACKEND": "kind"})
    with pytest.raises(LabConfigError, match="unknown lab backend 'nope'"):
        select.choose_backend(env={"NPKIT_LAB_BACKEND": "nope"})


def test_an_option_the_backend_cannot_honour_is_an_error_naming_it_as_typed():
    with pytest.raises(LabConfigError, match=r"--context cannot be used with the local backend: .*no kube context"
                                             r".*kind takes it"):
        select.config_for("local", {"allow_context": "prod", "lab_id": "x"})
    with pytest.raises(LabConfigError, match="--name cannot be used with the predict backend"):
        select.config_for("predict", {"cluster": "npkit-lab"})
    with pytest.raises(LabConfigError, match="--dataplane cannot be used with the kind backend"):
        select.config_for("kind", {"dataplane": "kubernetes"})
    assert select.config_for("local", {"allow_context": None, "lab_id": "x"}) == LocalConfig("x")  # None: not given
    assert select.config_for("kind", {"allow_context": "dev", "cni": "kindnet"}) == \
        KindConfig(allow_context="dev", cni="kindnet")


def test_bad_option_values_are_refused_before_anything_is_created():
    with pytest.raises(LabConfigError, match="--cni 'flannel'"):
        KindConfig(cni="flannel")
    with pytest.raises(LabConfigError, match="lab id 'no spaces'"):
        LocalConfig("no spaces")
    with pytest.raises(LabConfigError, match="dataplane 'cilium'"):
        LocalConfig(dataplane="cilium")


def test_a_backend_module_that_is_missing_or_broken_is_skipped(registry):
    select.register_backend("kind", "npkit.lab.backends.no_such_module:Backend", KindConfig, automatic=True)

    def explode(config):
        raise RuntimeError("boom")

    select.register_backend("other", explode, automatic=True)
    choice = select.choose_backend(env={})
    assert choice.backend.name == "predict"
    assert dict(choice.skipped)["kind"].startswith("the kind backend is not installed")
    assert dict(choice.skipped)["other"] == "RuntimeError: boom"


def test_register_backend_plugs_a_new_one_in_by_name(registry):
    select.register_backend("sim", SimBackend)
    assert "sim" in select.backend_names()
    assert select.choose_backend(env={"NPKIT_LAB_BACKEND": "sim"}).backend.name == "sim"

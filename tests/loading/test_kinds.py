"""Which kinds are read, skipped with a warning, or refused as a likely typo."""

from __future__ import annotations

import pytest

from npkit.errors import InternalError
from npkit.loading import kinds, load_string
from npkit.model import InputError, Namespace


def doc(api_version: str, kind: str, name: str = "x") -> str:
    return f"apiVersion: {api_version}\nkind: {kind}\nmetadata:\n  name: {name}\n"


def errors_of(text: str):
    with pytest.raises(InputError) as info:
        load_string(text, "k.yaml")
    return info.value.errors


@pytest.mark.parametrize("kind,suggestion", [
    ("NetworkPolcy", "NetworkPolicy"),
    ("NetworkPolicies", "NetworkPolicy"),
    ("networkpolicy", "NetworkPolicy"),
    ("NETWORKPOLICY", "NetworkPolicy"),
])
def test_misspelled_network_policy_is_an_error_with_a_suggestion(kind, suggestion):
    [error] = errors_of(doc("networking.k8s.io/v1", kind))
    assert f'did you mean "{suggestion}"?' in error.message
    assert (error.path, error.origin.line) == ("kind", 2)


@pytest.mark.parametrize("api_version,kind,suggestion", [
    ("v1", "Namespce", "Namespace"),
    ("v1", "Pods", "Pod"),
    ("apps/v1", "Deploymnet", "Deployment"),
    ("apps/v1", "deployment", "Deployment"),
    ("batch/v1", "CronJobs", "CronJob"),
    ("projectcalico.org/v3", "GlobalNetworkPolcy", "GlobalNetworkPolicy"),
])
def test_other_misspelled_kinds(api_version, kind, suggestion):
    [error] = errors_of(doc(api_version, kind))
    assert f'"{suggestion}"' in error.message


def test_case_mismatch_says_kinds_are_case_sensitive():
    [error] = errors_of(doc("networking.k8s.io/v1", "networkpolicy"))
    assert "case-sensitive" in error.message


@pytest.mark.parametrize("api_version,kind", [
    ("v1", "Service"), ("v1", "ConfigMap"), ("v1", "Secret"), ("batch/v1", "Job2000"),
    ("example.com/v1", "Widget"), ("rbac.authorization.k8s.io/v1", "Role"),
])
def test_unknown_kinds_are_skipped_with_a_warning(api_version, kind):
    cluster = load_string(doc(api_version, kind) + "---\n" + doc("v1", "Namespace", "kept"), "k.yaml")
    assert list(cluster.namespaces) == ["kept"]
    [warning] = cluster.warnings
    assert warning.origin.line == 2
    assert kind in warning.message and "skipped" in warning.message


def test_node_is_read_not_taken_for_a_misspelt_pod():
    cluster = load_string(doc("v1", "Node"))
    assert [n.name for n in cluster.nodes] == ["x"]
    assert "did you mean" not in cluster.warnings[0].message


@pytest.mark.parametrize("api_version,kind,right", [
    ("networking.k8s.io/v1beta1", "NetworkPolicy", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "NetworkPolicy", "networking.k8s.io/v1"),
    ("extensions/v1beta1", "Deployment", "apps/v1"),
    ("apps/v1beta2", "DaemonSet", "apps/v1"),
    ("v1", "Deployment", "apps/v1"),
    ("batch/v1beta1", "CronJob", "batch/v1"),
    ("apps/v1", "Pod", "v1"),
])
def test_wrong_api_version_names_the_right_one(api_version, kind, right):
    [error] = errors_of(doc(api_version, kind))
    assert f"needs apiVersion {right}" in error.message
    assert (error.path, error.origin.line) == ("apiVersion", 1)


def test_network_policy_in_a_foreign_group_names_both_real_ones():
    [error] = errors_of(doc("crd.projectcalico.org/v1", "NetworkPolicy"))
    assert "networking.k8s.io/v1" in error.message and "projectcalico.org/v3" in error.message


def test_malformed_api_version():
    [error] = errors_of(doc("networking.k8s.io/", "NetworkPolicy"))
    assert error.path == "apiVersion"


def test_registering_a_planned_kind_replaces_the_placeholder(monkeypatch):
    kinds.load_kind_modules()  # so that no module registers anything in the middle of this test
    monkeypatch.setattr(kinds, "_REGISTRY", dict(kinds._REGISTRY))
    placeholder = kinds.KindSpec("example.com", "Gadget", ("v1",), namespaced=False)
    kinds._REGISTRY[("example.com", "Gadget")] = placeholder
    text = doc("example.com/v1", "Gadget", "g1")
    assert "does not read Gadget (example.com/v1) yet" in load_string(text).warnings[0].message

    seen = []

    @kinds.register("example.com", "Gadget", ("v1",), namespaced=False)
    def load_gadget(obj):
        seen.append(obj.ref)
        return [Namespace(f"from-{obj.meta.name}")]

    cluster = load_string(text)
    assert [str(ref) for ref in seen] == ["Gadget g1"]
    assert "from-g1" in cluster.namespaces and cluster.warnings == ()
    with pytest.raises(ValueError, match="already registered"):
        kinds.register("example.com", "Gadget", ("v1",))(lambda obj: [])


def test_a_loader_returning_something_else_is_a_bug(monkeypatch):
    kinds.load_kind_modules()  # so that no module registers anything in the middle of this test
    monkeypatch.setattr(kinds, "_REGISTRY", dict(kinds._REGISTRY))
    kinds.register("example.com", "Widget", ("v1",))(lambda obj: ["not a model object"])
    with pytest.raises(InternalError, match="Widget loader returned str"):
        load_string(doc("example.com/v1", "Widget"))


def test_cluster_scoped_kind_ignores_namespace_with_a_warning():
    cluster = load_string(doc("v1", "Namespace", "a") + "  namespace: b\n")
    assert list(cluster.namespaces) == ["a"]
    [warning] = cluster.warnings
    assert warning.path == "metadata.namespace" and "cluster-scoped" in warning.message


def test_a_known_kind_that_gets_registered_is_read(monkeypatch):
    kinds.load_kind_modules()  # so that no module registers anything in the middle of this test
    monkeypatch.setattr(kinds, "_REGISTRY", dict(kinds._REGISTRY))
    kinds.register("", "Service", ("v1",))(lambda obj: [Namespace(obj.meta.name + "-seen")])
    assert "svc-seen" in load_string(doc("v1", "Service", "svc")).namespaces


def test_each_kind_is_found_by_its_group_alone():
    """A manifest imports only the readers of its API group (GROUP_MODULES), so every kind must be there."""
    kinds.load_kind_modules()
    for (group, kind), spec in kinds._REGISTRY.items():
        if spec.load is not None and not spec.load.__module__.startswith("tests"):
            assert spec.load.__module__.rsplit(".", 1)[1] in kinds.GROUP_MODULES[group], (group, kind)
    assert {m for modules in kinds.GROUP_MODULES.values() for m in modules} == set(kinds.KIND_MODULES)


def test_kubernetes_manifests_do_not_import_the_calico_readers():
    import subprocess
    import sys
    code = ("import sys; from npkit.loading import load_string; "
            "load_string('apiVersion: v1\\nkind: Namespace\\nmetadata: {name: a}\\n'); "
            "print(sorted(m for m in sys.modules if m.startswith(('npkit.loading', 'npkit.selectors')) "
            "and ('calico' in m or m.endswith('cnp'))))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"

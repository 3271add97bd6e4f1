"""Shared fixtures for the lab tests."""

import importlib
import sys
import types

import pytest


@pytest.fixture
def dump(monkeypatch):
    """`npkit.loading.dump.to_manifest`: the real one once it exists, else a minimal stand-in for
    the kinds these tests apply (the lab never writes YAML itself; it asks the loading layer)."""
    try:
        return importlib.import_module("npkit.loading.dump")
    except ModuleNotFoundError:
        pass
    from npkit.model import CalicoPolicy, NetworkPolicy, Tier

    def to_manifest(obj):
        if isinstance(obj, NetworkPolicy):
            return {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
                    "metadata": {"name": obj.name, "namespace": obj.namespace},
                    "spec": {"podSelector": {}, "policyTypes": list(obj.policy_types)}}
        if isinstance(obj, CalicoPolicy):
            meta = {"name": obj.name, **({"namespace": obj.namespace} if obj.namespace else {})}
            return {"apiVersion": "projectcalico.org/v3", "kind": obj.kind, "metadata": meta,
                    "spec": {"selector": obj.selector, "tier": obj.tier}}
        if isinstance(obj, Tier):
            return {"apiVersion": "projectcalico.org/v3", "kind": "Tier", "metadata": {"name": obj.name},
                    "spec": {"order": obj.order}}
        raise TypeError(obj)

    module = types.ModuleType("npkit.loading.dump")
    module.to_manifest = to_manifest
    monkeypatch.setitem(sys.modules, "npkit.loading.dump", module)
    return module

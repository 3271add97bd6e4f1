"""The safety guard: only the lab's kind context, only what the lab created."""

import pytest

from npkit.cluster.guard import ContextGuard, UnsafeTarget, is_local_server, owned_by, reach_outside
from npkit.loading import load_string

LOCAL = "https://127.0.0.1:41234"


def test_the_lab_context_on_this_machine_is_allowed():
    ContextGuard("npkit-lab").check("kind-npkit-lab", LOCAL)


@pytest.mark.parametrize("context", ["prod-eu", "kind-other-lab", "minikube"])
def test_any_other_context_is_refused_and_told_how_to_allow_it(context):
    with pytest.raises(UnsafeTarget, match=f"--context {context}"):
        ContextGuard("npkit-lab").check(context, LOCAL)


def test_a_kind_named_context_pointing_elsewhere_is_refused():
    with pytest.raises(UnsafeTarget, match="not on this machine"):
        ContextGuard("npkit-lab").check("kind-npkit-lab", "https://prod.example.com:6443")


def test_no_context_is_refused():
    with pytest.raises(UnsafeTarget):
        ContextGuard("npkit-lab").check(None, None)


def test_an_explicit_override_allows_exactly_that_context():
    guard = ContextGuard("npkit-lab", allow_context="staging")
    guard.check("staging", "https://staging.example.com")
    assert guard.target == "staging"
    with pytest.raises(UnsafeTarget):
        guard.check("prod", "https://prod.example.com")


@pytest.mark.parametrize(("server", "local"), [
    ("https://127.0.0.1:6443", True), ("https://localhost:1", True), ("https://[::1]:6443", True),
    ("https://0.0.0.0:6443", True), ("https://10.0.0.5:6443", False), ("https://k8s.corp:443", False),
    (None, False), ("", False),
])
def test_local_servers(server, local):
    assert is_local_server(server) is local


def test_ownership_is_the_exact_label():
    assert owned_by({"npkit.io/lab": "lab-01"}, "lab-01")
    assert not owned_by({"npkit.io/lab": "lab-02"}, "lab-01")
    assert not owned_by({}, "lab-01") and not owned_by(None, "lab-01")


NAMESPACES = {
    "kube-system": {"kubernetes.io/metadata.name": "kube-system"},
    "calico-system": {"kubernetes.io/metadata.name": "calico-system", "name": "calico-system"},
    "shop": {"kubernetes.io/metadata.name": "shop", "npkit.io/lab": "lab-03"},
}


def _policy(text):
    return load_string(text).policies[0]


def test_a_global_policy_without_namespace_selector_reaches_every_other_namespace():
    gnp = _policy("""
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress]}
""")
    assert reach_outside(gnp, NAMESPACES, "lab-03") == ["calico-system", "kube-system"]


def test_a_global_policy_limited_to_the_lab_stays_inside():
    gnp = _policy("""
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), namespaceSelector: "npkit.io/lab == 'lab-03'", types: [Ingress]}
""")
    assert reach_outside(gnp, NAMESPACES, "lab-03") == []
    assert reach_outside(gnp, NAMESPACES, "lab-04") == ["shop"]  # another lab's namespace is foreign too


def test_cluster_network_policy_subjects_are_checked():
    cnp = _policy("""
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: admin}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {matchLabels: {name: calico-system}}}
  ingress: [{action: Deny, from: [{namespaces: {}}]}]
""")
    assert reach_outside(cnp, NAMESPACES, "lab-03") == ["calico-system"]


def test_namespaced_policies_must_be_in_lab_namespaces():
    np_ = _policy("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: x, namespace: kube-system}
spec: {podSelector: {}}
""")
    assert reach_outside(np_, NAMESPACES, "lab-03") == ["kube-system"]

"""NP201-NP203: what selectors select in the loaded cluster."""

from __future__ import annotations

from .conftest import run


def k8s_policy(name: str, spec: str, namespace: str = "app") -> str:
    return (f"apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
            f"metadata: {{name: {name}, namespace: {namespace}}}\nspec:\n{spec}")


FROM_MONITOR = """\
  podSelector: {matchLabels: {app: backend}}
  policyTypes: [Ingress]
  ingress:
  - from:
    - %s
"""


# -- NP201 selects-no-pod ------------------------------------------------------------------------
def test_policy_selecting_no_pod_is_reported_at_its_selector():
    [f] = run(k8s_policy("allow-ingress-to-api", "  podSelector: {matchLabels: {app: api}}\n"), "NP201")
    assert (f.path, f.severity) == ("spec.podSelector", "warning")
    assert "none of the 3 pods in namespace app matches podSelector app=api" in f.message


def test_labels_that_exist_in_another_namespace_get_a_namespace_hint():
    [f] = run(k8s_policy("allow-x", "  podSelector: {matchLabels: {app: prometheus}}\n"), "NP201")
    assert "run in namespace monitoring" in f.message and "namespace monitoring instead" in f.fix


def test_policy_selecting_pods_is_clean():
    assert not run(k8s_policy("allow-x", "  podSelector: {matchLabels: {app: backend}}\n"), "NP201")


def test_calico_policy_selecting_nothing_is_reported():
    gnp = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-ingress-to-api}
spec: {order: 1, selector: app == 'api', types: [Ingress]}
"""
    [f] = run(gnp, "NP201")
    assert f.path == "spec.selector" and "app == 'api'" in f.message


# -- NP202 peer-matches-nothing ------------------------------------------------------------------
def test_pod_selector_peer_without_namespace_selector_gets_the_namespace_hint():
    peer = "podSelector: {matchLabels: {role: monitor}}"
    [f] = run(k8s_policy("allow-ingress-from-monitoring", FROM_MONITOR % peer), "NP202")
    assert f.path == "spec.ingress[0].from[0]"
    assert "only looks in the policy's namespace app" in f.message and "monitoring" in f.message
    assert "add a namespaceSelector to the same peer" in f.fix


def test_peer_with_namespace_selector_that_matches_pods_is_clean():
    peer = "namespaceSelector: {matchLabels: {purpose: monitoring}}\n      podSelector: {matchLabels: {role: monitor}}"
    assert not run(k8s_policy("allow-ingress-from-monitoring", FROM_MONITOR % peer), "NP202")


def test_namespace_selector_matching_no_namespace_says_so():
    peer = "namespaceSelector: {matchLabels: {team: ops}}"
    [f] = run(k8s_policy("allow-ingress-from-ops", FROM_MONITOR % peer), "NP202")
    assert "no namespace matches namespaceSelector team=ops" in f.message


def test_calico_source_selector_matching_nothing_is_reported():
    np_ = """\
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: allow-ingress-from-api, namespace: app}
spec:
  order: 10
  selector: app == 'backend'
  ingress:
  - action: Allow
    source: {selector: app == 'api'}
"""
    [f] = run(np_, "NP202")
    assert f.path == "spec.ingress[0].source.selector" and "matches no endpoint or network set" in f.message


# -- NP203 namespace-label -----------------------------------------------------------------------
def test_namespace_selected_by_a_label_it_lacks_suggests_the_name_label():
    peer = "namespaceSelector: {matchLabels: {name: monitoring}}"
    found = run(k8s_policy("allow-ingress-from-monitoring", FROM_MONITOR % peer), "NP203", "NP202")
    [f] = found  # NP202 stays quiet: this rule explains the empty peer better
    assert (f.rule, f.path) == ("NP203", "spec.ingress[0].from[0].namespaceSelector")
    assert "namespace monitoring carries only kubernetes.io/metadata.name=monitoring, purpose=monitoring" in f.message
    assert "kubernetes.io/metadata.name: monitoring" in f.fix


def test_the_name_label_itself_is_never_the_missing_label():
    peer = "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring, team: ops}}"
    found = run(k8s_policy("allow-ingress-from-monitoring", FROM_MONITOR % peer), "NP203", "NP202")
    assert [f.rule for f in found] == ["NP202"]


def test_selecting_by_the_name_label_is_clean():
    peer = "namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: monitoring}}"
    assert not run(k8s_policy("allow-ingress-from-monitoring", FROM_MONITOR % peer), "NP203")


def test_calico_namespace_selector_by_a_missing_label():
    gnp = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: allow-ingress-from-monitoring}
spec:
  order: 10
  selector: app == 'backend'
  ingress:
  - action: Allow
    source: {namespaceSelector: name == 'monitoring'}
"""
    [f] = run(gnp, "NP203")
    assert f.path == "spec.ingress[0].source.namespaceSelector"
    assert "kubernetes.io/metadata.name == 'monitoring'" in f.fix
    assert not run(gnp.replace("name == 'monitoring'", "purpose == 'monitoring'"), "NP203")


CNP = """\
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: deny-ingress-from-ops}
spec:
  tier: Admin
  priority: 10
  subject:
    pods:
      namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: app}}
      podSelector: {matchLabels: {app: %s}}
  ingress:
  - action: Deny
    from:
    - namespaces: {matchLabels: {team: ops}}
"""


def test_cluster_network_policy_subject_and_peer_are_checked():
    found = run(CNP % "api", "NP201", "NP202")
    assert [(f.rule, f.path) for f in found] == [("NP201", "spec.subject"), ("NP202", "spec.ingress[0].from[0]")]
    assert [f.rule for f in run(CNP % "backend", "NP201", "NP202")] == ["NP202"]

"""NP101-NP104: DNS under egress isolation, and a default deny per namespace."""

from __future__ import annotations

from .conftest import ALLOW_DNS, BASELINE, CLUSTER, DEFAULT_DENY, run

EGRESS_DENY = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-egress, namespace: app}
spec: {podSelector: {}, policyTypes: [Egress]}
"""

CHAPTER_DNS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-dns, namespace: app}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports:
    - {protocol: UDP, port: 53}
    - {protocol: TCP, port: 53}
"""

UDP_ONLY_DNS = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-egress-to-kube-dns, namespace: app}
spec:
  podSelector: {}
  policyTypes: [Egress]
  egress:
  - to:
    - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}
      podSelector: {matchLabels: {k8s-app: kube-dns}}
    ports:
    - {protocol: UDP, port: 53}
"""

NO_DNS_POD = "---\n".join(doc for doc in CLUSTER.split("---\n") if "coredns" not in doc)


# -- NP101 dns-egress ----------------------------------------------------------------------------
def test_egress_deny_without_dns_is_an_error_naming_the_pods_and_the_policy():
    [f] = run(EGRESS_DENY, "NP101")
    assert (f.severity, f.obj.name, f.path) == ("error", "default-deny-egress", "spec.policyTypes")
    assert "app/backend, app/db and app/frontend" in f.message
    assert "kube-system/coredns" in f.message and "UDP 53 or TCP 53" in f.message
    text = CLUSTER + "---\n" + EGRESS_DENY
    assert f.origin.line == text.splitlines().index("spec: {podSelector: {}, policyTypes: [Egress]}") + 1
    assert "k8s-app: kube-dns" in f.fix and "{protocol: TCP, port: 53}" in f.fix


def test_either_dns_selector_form_satisfies_it():
    assert not run(EGRESS_DENY + "---\n" + CHAPTER_DNS, "NP101")
    assert not run(EGRESS_DENY + "---\n" + ALLOW_DNS % "app", "NP101")


def test_pods_without_egress_policies_are_not_checked():
    assert not run("", "NP101")


def test_without_a_kube_dns_pod_npkit_assumes_one_and_says_so():
    [f] = run(EGRESS_DENY, "NP101", cluster=NO_DNS_POD)
    assert "npkit assumed one" in f.message
    assert not run(EGRESS_DENY + "---\n" + CHAPTER_DNS, "NP101", cluster=NO_DNS_POD)


def test_without_pods_it_asks_about_a_new_pod_in_each_namespace():
    [f] = run(EGRESS_DENY, "NP101", cluster="")
    assert "a new pod in namespace app" in f.message and "No pods were loaded" in f.message
    assert not run(EGRESS_DENY + "---\n" + CHAPTER_DNS, "NP101", cluster="")


def test_kube_dns_ingress_policy_that_drops_queries_is_blamed():
    locked = (DEFAULT_DENY % "kube-system").replace("[Ingress, Egress]", "[Ingress]")
    [f] = run(EGRESS_DENY + "---\n" + CHAPTER_DNS + "---\n" + locked, "NP101")
    assert f.obj.namespace == "kube-system" and "the ingress policies of kube-dns keep them" in f.message
    assert "UDP/53, ingress of kube-system/coredns: denied" in f.message
    assert "ingress rule" in f.fix


def test_a_calico_policy_that_denies_egress_breaks_dns_too():
    gnp = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-egress-to-everything}
spec:
  order: 10
  selector: app == 'frontend'
  types: [Egress]
  egress:
  - action: Deny
"""
    [f] = run(gnp, "NP101")
    assert f.obj.kind == "GlobalNetworkPolicy" and "app/frontend" in f.message and f.path == "spec.types"
    assert "action: Allow" in f.fix


# -- NP102 dns-tcp -------------------------------------------------------------------------------
def test_udp_only_dns_is_a_warning_pointing_at_the_ports():
    [f] = run(EGRESS_DENY + "---\n" + UDP_ONLY_DNS, "NP101", "NP102")
    assert (f.rule, f.severity, f.path) == ("NP102", "warning", "spec.egress[0].ports")
    assert "does not fit in a UDP packet" in f.message
    assert "protocol: TCP, port: 53" in f.fix


def test_udp_and_tcp_dns_is_clean():
    assert not run(EGRESS_DENY + "---\n" + ALLOW_DNS % "app", "NP102")


# -- NP103 default-deny --------------------------------------------------------------------------
def test_namespaces_without_default_deny_are_named_with_the_missing_directions():
    found = run("", "NP103")
    assert [(f.obj.kind, f.obj.name) for f in found] == [("Namespace", "app"), ("Namespace", "monitoring")]
    assert "ingress or egress" in found[0].message
    assert "policyTypes: [Ingress, Egress]" in found[0].fix


def test_an_ingress_only_default_deny_leaves_egress_missing():
    ingress_only = (DEFAULT_DENY % "app").replace("[Ingress, Egress]", "[Ingress]")
    [f] = run(ingress_only, "NP103", cluster=CLUSTER.replace("monitoring", "kube-public"))
    assert "no default deny for egress:" in f.message and "default-deny-egress" in f.fix


def test_default_deny_all_in_every_user_namespace_is_clean():
    assert not run(BASELINE, "NP103")


def test_a_calico_global_default_deny_counts():
    gnp = """\
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: default-deny}
spec: {selector: all(), types: [Ingress, Egress]}
"""
    assert not run(gnp, "NP103")


def test_an_allow_all_policy_is_no_default_deny():
    allow_all = """\
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: allow-all, namespace: app}
spec:
  podSelector: {}
  policyTypes: [Ingress]
  ingress: [{}]
"""
    found = run(BASELINE + "---\n" + allow_all, "NP103")
    assert [f.obj.name for f in found] == ["app"]
    assert "allowed by NetworkPolicy app/allow-all" in found[0].message


# -- NP104 dns-any-namespace ---------------------------------------------------------------------
def test_chapter_dns_rule_trusts_the_label_in_any_namespace():
    [f] = run(EGRESS_DENY + "---\n" + CHAPTER_DNS, "NP104")
    assert (f.obj.name, f.path) == ("allow-dns", "spec.egress[0]")
    assert "kubernetes.io/metadata.name: kube-system" in f.fix


def test_an_impostor_in_the_cluster_is_named():
    impostor = """\
apiVersion: v1
kind: Pod
metadata: {name: fake-dns, namespace: monitoring, labels: {k8s-app: kube-dns}}
spec: {containers: [{name: c, image: coredns}]}
status: {podIP: 10.244.2.53}
"""
    [f] = run(EGRESS_DENY + "---\n" + CHAPTER_DNS + "---\n" + impostor, "NP104")
    assert "monitoring/fake-dns already does" in f.message


def test_port_53_open_to_everyone_is_no_trust_in_a_label():
    anyone = CHAPTER_DNS.replace("  - to:\n    - namespaceSelector: {}\n      podSelector: {matchLabels: {k8s-app: kube-dns}}\n"
                                 "    ports:", "  - ports:")
    assert not run(EGRESS_DENY + "---\n" + anyone, "NP104", "NP101")


def test_dns_pinned_to_kube_system_is_clean():
    assert not run(EGRESS_DENY + "---\n" + ALLOW_DNS % "app", "NP104")

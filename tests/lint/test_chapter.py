"""The chapter's own example policies, linted, with every finding reviewed.

Each example is linted alone over the cluster it is meant for: the course's model cluster for
the chapter's sections, and for the two hands-on labs the pods their `kubectl run` commands
create. REVIEW lists every finding (rule, policy, path) with why it is right and where the
course discusses it; a new or missing finding fails the test until it is reviewed here.
"""

from __future__ import annotations

from importlib import resources

import pytest

from npkit.course import model_cluster
from npkit.lint import lint
from npkit.loading import load, load_string

CHAPTER = resources.files("npkit") / "data" / "chapter"

# The pods the chapter's hands-on sections create with kubectl run.
LAB_PODS = {
    "default-deny-policy-test.yaml": """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: policy-test, labels: {app: web}}
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: client, namespace: policy-test, labels: {run: client}}
spec: {containers: [{name: client, image: busybox}]}
""",
    "allow-frontend.yaml": """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: np-demo, labels: {app: web, tier: backend}}
spec: {containers: [{name: web, image: nginx, ports: [{containerPort: 80}]}]}
---
apiVersion: v1
kind: Pod
metadata: {name: frontend, namespace: np-demo, labels: {app: frontend}}
spec: {containers: [{name: frontend, image: busybox}]}
---
apiVersion: v1
kind: Pod
metadata: {name: other, namespace: np-demo, labels: {app: other}}
spec: {containers: [{name: other, image: busybox}]}
""",
}

# (file, rule, policy, path) -> why the finding is right, and which notebook or lab discusses it.
# NP103 (namespaces without a default deny) is reviewed separately below.
REVIEW = {
    ("allow-dns-kube-system.yaml", "NP102", "allow-egress-to-kube-dns", "spec.egress[0].ports"):
        "the best-practice snippet lists UDP 53 only; large answers go over TCP (notebook 10)",
    ("allow-dns.yaml", "NP104", "allow-dns", "spec.egress[0]"):
        "namespaceSelector {} trusts k8s-app=kube-dns anywhere; x/fake-dns shows it (notebook 10)",
    ("allow-external-db.yaml", "NP101", "allow-external-db", "spec.policyTypes"):
        "egress only to 10.100.0.0/16: the backend loses DNS (notebook 05, DNS under egress isolation)",
    ("allow-external-db.yaml", "NP901", "allow-external-db", "metadata.name"):
        "no direction in the name; allow-egress-to-external-db (notebook 10)",
    ("allow-frontend-to-backend.yaml", "NP901", "allow-frontend-to-backend", "metadata.name"):
        "the chapter's own convention asks for allow-ingress-frontend-to-backend (notebook 10)",
    ("allow-frontend.yaml", "NP901", "allow-frontend", "metadata.name"):
        "lab 2's name has no direction and no to/from (notebook 10 on naming)",
    ("allow-same-namespace.yaml", "NP901", "allow-same-namespace", "metadata.name"):
        "allow-ingress-from-same-namespace in the convention (notebook 10)",
    ("allow-specific-http.yaml", "NP402", "allow-specific-http", "spec"):
        "no order: last in tier default; alone there, so info (notebook 07, order)",
    ("allow-specific-http.yaml", "NP501", "allow-specific-http", "spec.ingress[0].http"):
        "Felix ignores http without Istio + Dikastes (notebook 07; README, The course)",
    ("allow-specific-http.yaml", "NP901", "allow-specific-http", "metadata.name"):
        "no direction in the name (notebook 10)",
    ("block-malicious-ips.yaml", "NP405", "block-malicious-ips", "spec.ingress[0]"):
        "tier security ends in an implicit Deny: all ingress is cut (notebook 07; README, The course)",
    ("block-malicious-ips.yaml", "NP901", "block-malicious-ips", "metadata.name"):
        "'block' is not an action of the convention: deny-ingress-from-malicious-ips (notebook 10)",
    ("default-deny-all.yaml", "NP101", "default-deny-all", "spec.policyTypes"):
        "deny-all without allow-dns breaks name lookups (notebook 05)",
    ("default-deny-egress.yaml", "NP101", "default-deny-egress", "spec.policyTypes"):
        "the chapter's egress deny without allow-dns: DNS breaks (notebook 05)",
    ("deny-external-egress.yaml", "NP101", "deny-external-egress", "spec.types"):
        "the tier's implicit Deny drops DNS too, although kube-dns is private (notebook 07)",
    ("deny-external-egress.yaml", "NP402", "deny-external-egress", "spec"):
        "no order: after Kubernetes policies once there are any (notebook 07)",
    ("deny-external-egress.yaml", "NP405", "deny-external-egress", "spec.egress[0]"):
        "Deny-only in tier default: all egress is cut, not only external (notebook 07; README, The course)",
    ("deny-external-egress.yaml", "NP901", "deny-external-egress", "metadata.name"):
        "deny-egress-to-external in the convention (notebook 10)",
    ("example-policy.yaml", "NP101", "example-policy", "spec.policyTypes"):
        "egress only to role=db on 5432: web loses DNS (notebooks 01 and 05)",
    ("example-policy.yaml", "NP301", "example-policy", "spec.ingress[0].from[1]"):
        "podSelector and namespaceSelector are two peers (OR) (notebook 03, the AND vs OR trap)",
    ("example-policy.yaml", "NP901", "example-policy", "metadata.name"):
        "an example name (notebook 10)",
    ("explicit-deny-with-log.yaml", "NP402", "explicit-deny-with-log", "spec"):
        "no order: last in tier default (notebook 07)",
    ("explicit-deny-with-log.yaml", "NP901", "explicit-deny-with-log", "metadata.name"):
        "no direction in the name (notebook 10)",
    ("log-denied.yaml", "NP101", "log-denied", "spec.types"):
        "Log-only policy selecting all(): the end-of-tier Deny drops DNS (lab 4, notebook 09)",
    ("log-denied.yaml", "NP404", "log-denied", "spec.ingress[0]"):
        "Log does not decide: connections go on to the tier's Deny (notebook 09, lab 4)",
    ("log-denied.yaml", "NP404", "log-denied", "spec.egress[0]"):
        "same for egress (notebook 09, lab 4)",
    ("log-denied.yaml", "NP405", "log-denied", "spec.ingress[0]"):
        "Log-only in tier default: every pod loses all ingress (notebook 09, lab 4)",
    ("log-denied.yaml", "NP405", "log-denied", "spec.egress[0]"):
        "and all egress (notebook 09, lab 4)",
    ("log-denied.yaml", "NP901", "log-denied", "metadata.name"):
        "two directions, no convention name (notebook 10)",
}

EXAMPLES = sorted(p.name for p in CHAPTER.iterdir() if p.name.endswith(".yaml"))


def _lint_example(name: str):
    path = str(CHAPTER / name)
    base = load_string(LAB_PODS[name], "lab-pods.yaml") if name in LAB_PODS else model_cluster("default")
    return lint(base.merged(load(path)))


def test_every_example_is_covered():
    assert len(EXAMPLES) >= 16, EXAMPLES


@pytest.mark.parametrize("name", EXAMPLES)
def test_the_findings_of_each_example_are_the_reviewed_ones(name):
    found = {(name, f.rule, f.obj.name, f.path) for f in _lint_example(name) if f.rule != "NP103"}
    expected = {key for key in REVIEW if key[0] == name}
    assert found == expected, "review these findings in REVIEW: " + repr(sorted(found ^ expected))


# What NP103 must say per namespace ("*": every namespace): the directions a new pod there still
# has open, None for none. Unlisted: both. Not only the default-deny examples close a direction:
# any policy with `podSelector: {}` isolates every pod of its namespace (allow-dns isolates egress,
# allow-same-namespace ingress), and a Calico policy selecting all() ends in its tier's Deny.
PARTLY_CLOSED = {
    "default-deny-all.yaml": {"default": None},
    "default-deny-ingress.yaml": {"default": "egress"},
    "default-deny-egress.yaml": {"default": "ingress"},
    "default-deny-policy-test.yaml": {"policy-test": "egress"},
    "allow-dns.yaml": {"default": "ingress"},
    "allow-dns-kube-system.yaml": {"default": "ingress"},
    "allow-same-namespace.yaml": {"default": "egress"},
    "block-malicious-ips.yaml": {"*": "egress"},
    "deny-external-egress.yaml": {"*": "ingress"},
    "log-denied.yaml": {"*": None},
}


@pytest.mark.parametrize("name", EXAMPLES)
def test_default_deny_findings_name_exactly_the_open_namespaces_and_directions(name):
    found = {f.obj.name: f.message for f in _lint_example(name) if f.rule == "NP103"}
    base = load_string(LAB_PODS[name]) if name in LAB_PODS else model_cluster("default")
    user = {n for n in base.merged(load(str(CHAPTER / name))).namespaces if not n.startswith("kube-")}
    for namespace in sorted(user):
        closed = PARTLY_CLOSED.get(name, {})
        left_open = closed.get(namespace, closed.get("*", "ingress or egress"))
        if left_open is None:
            assert namespace not in found
        else:
            assert f"has no default deny for {left_open}:" in found[namespace]


DNS_VARIANTS = ["allow-dns.yaml", "allow-dns-kube-system.yaml"]


@pytest.mark.parametrize("dns", DNS_VARIANTS)
def test_the_recommended_set_has_only_findings_notebook_10_discusses(dns):
    # The best practices: a default deny, DNS, and the common patterns of chapter 6.
    files = ["default-deny-all.yaml", dns, "allow-frontend-to-backend.yaml", "allow-external-db.yaml",
             "allow-same-namespace.yaml"]
    cluster = model_cluster("app").merged(load(*[str(CHAPTER / f) for f in files]))
    found = lint(cluster)
    assert not found.errors
    discussed = {"NP104": "DNS pinned to kube-system", "NP102": "TCP 53 next to UDP 53", "NP901": "naming"}
    assert {f.rule for f in found} <= set(discussed), str(found)
    renamed = {f.obj.name for f in found.of("naming")}
    assert renamed == {"allow-frontend-to-backend", "allow-external-db", "allow-same-namespace"}
    assert {f.rule for f in found if f.rule != "NP901"} == ({"NP104"} if dns == "allow-dns.yaml" else {"NP102"})

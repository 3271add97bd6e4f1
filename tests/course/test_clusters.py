"""The model cluster serves the chapter: every example has pods to select and pods to leave out."""

from __future__ import annotations

import ipaddress

import pytest

from npkit.course import cluster_names, external, model_cluster
from npkit.engine import Engine
from npkit.loading import load_string


def test_the_default_cluster_is_small_enough_to_read_and_fully_addressed():
    c = model_cluster()
    assert 12 <= len(c.pods) <= 20
    assert not c.diagnostics  # every pod has status.podIP, nothing is guessed
    ips = [p.ip for p in c.pods]
    assert len(set(ips)) == len(ips)
    assert set(c.namespaces) == {"default", "frontend", "myproject", "monitoring", "x", "y", "kube-system"}


def test_namespace_labels_the_chapter_selects_on():
    ns = model_cluster().namespaces
    assert ns["frontend"].labels["project"] == "frontend"
    assert ns["myproject"].labels["project"] == "myproject"
    assert ns["x"].labels["name"] == "x" and ns["y"].labels["name"] == "y"
    assert ns["kube-system"].labels["kubernetes.io/metadata.name"] == "kube-system"


def _selected(cluster, peer_yaml: str) -> set[str]:
    """Pods a single ingress peer into default/web lets in, asked of the engine."""
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata: {name: t, namespace: default}\n"
              "spec:\n  podSelector: {matchLabels: {app: web}}\n  ingress:\n  - from:\n" + peer_yaml)
    engine = Engine(cluster.merged(load_string(policy)))
    return {p for p in engine.pods if p != "default/web" and engine.allowed(p, "default/web", 80)}


@pytest.mark.parametrize("peer, expected", [
    # chapter 3: project=frontend AND role=web matches one pod, not its neighbour or default's web
    ("    - namespaceSelector: {matchLabels: {project: frontend}}\n      podSelector: {matchLabels: {role: web}}\n",
     {"frontend/web"}),
    # chapter 3: role=monitor from any namespace; grafana shares the namespace but not the label
    ("    - namespaceSelector: {}\n      podSelector: {matchLabels: {role: monitor}}\n", {"monitoring/prometheus"}),
    # chapter 3 AND example: app=a in namespaces name=x, not y/a
    ("    - namespaceSelector: {matchLabels: {name: x}}\n      podSelector: {matchLabels: {app: a}}\n", {"x/a"}),
    # chapter 1 example-policy peer: role=frontend in the policy's namespace
    ("    - podSelector: {matchLabels: {role: frontend}}\n", {"default/frontend"}),
    # chapter 1: namespaces with project=myproject
    ("    - namespaceSelector: {matchLabels: {project: myproject}}\n", {"myproject/worker"}),
])
def test_the_chapter_examples_each_select_something_and_leave_something_out(peer, expected):
    assert _selected(model_cluster(), peer) == expected


def test_named_port_http_resolves_differently_on_web_and_backend():
    c = model_cluster()
    assert c.pod("default/web").named_port("http", "TCP") == 80
    assert c.pod("default/backend").named_port("http", "TCP") == 8080
    assert c.pod("kube-system/coredns").named_port("dns", "UDP") == 53


def test_focused_clusters_are_views_of_the_default_one():
    full = {p.key: p for p in model_cluster().pods}
    for name in cluster_names():
        for pod in model_cluster(name).pods:
            if pod.key in full:
                assert pod.labels == full[pod.key].labels and pod.ip == full[pod.key].ip, (name, pod.key)
    assert len(model_cluster("and-or").pods) == 7
    assert model_cluster("best-practices").pod("x/fake-dns").labels == {"k8s-app": "kube-dns"}


def test_external_addresses_are_outside_every_pod_network():
    pods = [ipaddress.ip_address(p.ip) for p in model_cluster().pods]
    for address in external().values():
        ip = ipaddress.ip_address(address.ip)
        assert ip not in ipaddress.ip_network("10.244.0.0/16") and ip not in pods
    assert external()["external-db"].ip == "10.100.0.5"
    assert external()["malicious"].ip == "1.2.3.4"
    assert external("and-or") == external("default")


def test_an_unknown_cluster_names_the_known_ones():
    with pytest.raises(KeyError, match="and-or"):
        model_cluster("nope")

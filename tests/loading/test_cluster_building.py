"""Building the Cluster: pod IPs, implicit namespaces, replaced duplicates, default namespace."""

from __future__ import annotations

import ipaddress
import random

import pytest

from npkit.loading import load_string
from npkit.loading.addresses import assign_pod_ips
from npkit.model import NAMESPACE_NAME_LABEL, Origin, Pod


def pod(name: str, namespace: str | None = "prod", ip: str | None = None) -> str:
    ns = f"  namespace: {namespace}\n" if namespace else ""
    status = f"status:\n  podIP: {ip}\n" if ip else ""
    return (f"apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n{ns}"
            f"spec:\n  containers: [{{name: c, image: nginx}}]\n{status}")


def join(*docs: str) -> str:
    return "---\n".join(docs)


# -- pod IPs -------------------------------------------------------------------------------

def test_pods_without_ip_get_one_in_the_kind_pod_range():
    cluster = load_string(join(pod("a"), pod("b"), pod("c", ip="10.0.0.9")))
    by_name = {p.name: p for p in cluster.pods}
    assert by_name["c"].ip == "10.0.0.9" and not by_name["c"].ip_assigned
    for name in "ab":
        address = ipaddress.ip_address(by_name[name].ip)
        assert address in ipaddress.ip_network("10.244.0.0/16")
        assert by_name[name].ip_assigned
    assert by_name["a"].ip != by_name["b"].ip


def test_one_info_diagnostic_lists_the_assignments():
    cluster = load_string(join(pod("a"), pod("b")))
    infos = [d for d in cluster.diagnostics if d.severity == "info"]
    assert len(infos) == 1
    for p in cluster.pods:
        assert f"{p.key} {p.ip}" in infos[0].message
    assert cluster.warnings == ()


def test_no_info_when_every_pod_has_an_ip():
    assert load_string(pod("a", ip="10.0.0.1")).diagnostics == ()


def test_same_input_same_ips_regardless_of_order():
    docs = [pod(f"p{i}", f"ns{i % 3}") for i in range(40)]
    first = {p.key: p.ip for p in load_string(join(*docs)).pods}
    random.Random(7).shuffle(docs)
    again = {p.key: p.ip for p in load_string(join(*docs)).pods}
    assert first == again


def test_ips_are_stable_when_unrelated_pods_are_added():
    base = [pod(f"p{i}") for i in range(30)]
    before = {p.key: p.ip for p in load_string(join(*base)).pods}
    more = base + [pod(f"extra{i}", "other") for i in range(30)]
    after = {p.key: p.ip for p in load_string(join(*more)).pods}
    assert all(after[key] == ip for key, ip in before.items())


def test_assigned_ips_never_collide_with_explicit_ones():
    # Find where pod "prod/a" would go, then give that address to another pod explicitly.
    home = load_string(pod("a")).pods[0].ip
    cluster = load_string(join(pod("a"), pod("b", ip=home)))
    ips = {p.name: p.ip for p in cluster.pods}
    assert ips["b"] == home and ips["a"] != home


def test_colliding_hashes_probe_to_the_next_free_address(monkeypatch):
    from npkit.loading import addresses

    monkeypatch.setattr(addresses, "_home_slot", lambda key: 253)  # every pod hashes to 10.244.0.254
    pods, assigned = assign_pod_ips([Pod("b", "x"), Pod("a", "x"), Pod("c", "x", ip="10.244.1.1")])
    # Sorted by key: x/a first takes .0.254, x/b skips 10.244.1.1 (explicit) and takes .1.2
    assert [p.ip for p in pods] == ["10.244.1.2", "10.244.0.254", "10.244.1.1"]
    assert [p.key for p in assigned] == ["x/a", "x/b"]


def test_host_parts_0_and_255_are_never_used():
    pods, _ = assign_pod_ips([Pod(f"p{i}", "ns") for i in range(3000)])
    last_octets = {int(p.ip.rsplit(".", 1)[1]) for p in pods}
    assert not last_octets & {0, 255}
    assert len({p.ip for p in pods}) == 3000


def test_duplicate_explicit_ips_are_a_warning():
    cluster = load_string(join(pod("a", ip="10.0.0.1"), pod("b", ip="10.0.0.1")))
    [warning] = cluster.warnings
    assert "both have IP 10.0.0.1" in warning.message


# -- namespaces ----------------------------------------------------------------------------

def test_implicit_namespaces_for_pods_and_policies():
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
              "metadata: {name: p, namespace: billing}\nspec: {podSelector: {}}\n")
    cluster = load_string(join(pod("a", "shop"), policy, pod("b", None)))
    assert set(cluster.namespaces) == {"shop", "billing", "default"}
    for name, ns in cluster.namespaces.items():
        assert ns.implicit
        assert ns.labels == {NAMESPACE_NAME_LABEL: name}
    assert cluster.namespaces["billing"].origin.line == 9  # the policy that named it


def test_declared_namespace_gets_the_name_label_and_is_not_implicit():
    ns = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n  labels: {team: a}\n"
    cluster = load_string(join(pod("a", "shop"), ns))
    shop = cluster.namespaces["shop"]
    assert not shop.implicit
    assert shop.labels == {"team": "a", NAMESPACE_NAME_LABEL: "shop"}


def test_wrong_name_label_on_a_namespace_is_overridden_with_a_warning():
    ns = ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n"
          f"  labels: {{{NAMESPACE_NAME_LABEL}: other}}\n")
    cluster = load_string(ns)
    assert cluster.namespaces["shop"].labels[NAMESPACE_NAME_LABEL] == "shop"
    [warning] = cluster.warnings
    assert warning.origin.line == 5 and "other" in warning.message


def test_default_namespace_applies_to_objects_without_one():
    cluster = load_string(pod("a", None), default_namespace="sandbox")
    assert cluster.pods[0].key == "sandbox/a"
    assert list(cluster.namespaces) == ["sandbox"]


# -- duplicates ------------------------------------------------------------------------------

def test_second_definition_replaces_the_first_with_a_warning_naming_both():
    text = join(pod("a", ip="10.0.0.1"), pod("b"), pod("a", ip="10.0.0.2"))
    cluster = load_string(text, "dup.yaml")
    [kept] = [p for p in cluster.pods if p.name == "a"]
    assert kept.ip == "10.0.0.2"
    [warning] = cluster.warnings
    assert warning.origin == kept.origin == Origin("dup.yaml", 19)  # the replacing definition
    assert "Pod prod/a" in warning.message and "dup.yaml:1" in warning.message


def test_same_name_in_different_namespaces_or_kinds_is_not_a_duplicate():
    policy = ("apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\n"
              "metadata: {name: a, namespace: prod}\nspec: {podSelector: {}}\n")
    cluster = load_string(join(pod("a", "prod"), pod("a", "test"), policy))
    assert len(cluster.pods) == 2 and len(cluster.network_policies) == 1
    assert cluster.warnings == ()


def test_workload_and_pod_with_the_same_name_keep_the_later_with_a_warning():
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: prod}\n"
                  "spec:\n  selector: {matchLabels: {app: a}}\n"
                  "  template:\n    metadata: {labels: {app: a}}\n"
                  "    spec: {containers: [{name: c, image: i}]}\n")
    cluster = load_string(join(pod("a"), deployment))
    [p] = cluster.pods
    assert p.workload is not None
    assert any("both make pod prod/a" in w.message for w in cluster.warnings)


@pytest.mark.parametrize("count", [0, 1])
def test_builtin_tiers_are_always_present(count):
    cluster = load_string(join(*[pod("a")] * count) if count else "")
    assert set(cluster.tiers) == {"kube-admin", "default", "kube-baseline"}


def test_more_pods_than_half_the_kind_range_go_to_10_0_0_0_8():
    pods, assigned = assign_pod_ips([Pod(f"p{i}", "ns") for i in range(40_000)])
    assert len({p.ip for p in pods}) == 40_000 == len(assigned)
    assert all(ipaddress.ip_address(p.ip) in ipaddress.ip_network("10.0.0.0/8") for p in pods)
    assert not all(ipaddress.ip_address(p.ip) in ipaddress.ip_network("10.244.0.0/16") for p in pods)


def test_more_pods_than_any_range_holds_is_bad_input_saying_how_to_fix_it(monkeypatch):
    from npkit.errors import InputError
    from npkit.loading import addresses

    monkeypatch.setattr(addresses, "LARGE_POD_RANGE", ipaddress.IPv4Network("10.0.0.0/22"))
    monkeypatch.setattr(addresses, "POD_RANGE", ipaddress.IPv4Network("10.244.0.0/24"))
    with pytest.raises(InputError, match="give the pods addresses|Give the pods addresses") as caught:
        assign_pod_ips([Pod(f"p{i}", "ns") for i in range(600)])
    assert "600 pods have no status.podIP" in str(caught.value) and caught.value.exit_code == 2


def test_the_info_line_names_a_few_assignments_and_counts_the_rest():
    cluster = load_string(join(*[pod(f"p{i:02}") for i in range(12)]))
    [info] = [d for d in cluster.diagnostics if d.severity == "info"]
    assert info.message.startswith("12 pod(s) had no status.podIP; npkit gave them addresses in 10.244.0.0/16: ")
    assert info.message.count("prod/p") == 5 and "and 7 more" in info.message

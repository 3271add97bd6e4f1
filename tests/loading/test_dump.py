"""Manifests out: what `to_manifest` writes for each kind, and `load_string(dump_yaml(objs))`
giving equal objects back for random clusters of every policy family."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from npkit.loading import load, load_string
from npkit.loading.dump import DEFAULT_IMAGE, cluster_objects, dump_yaml, to_manifest
from npkit.model import (
    BUILTIN_TIERS,
    CalicoPolicy,
    CalicoRule,
    Cluster,
    ClusterNetworkPolicy,
    CNPPeer,
    CNPPort,
    CNPRule,
    CNPSubject,
    ContainerPort,
    EntityRule,
    LabelSelector,
    Namespace,
    NetworkPolicy,
    Origin,
    Pod,
    PolicyPort,
    PortRange,
    Requirement,
    Rule,
    Tier,
)
from tests.strategies import clusters

CHAPTER = Path(__file__).resolve().parents[2] / "npkit" / "data" / "chapter"  # the chapter examples, package data
WHERE = ("origin", "field_lines")  # where an object was written, not what it is


def fields_of(obj: object) -> dict:
    """An object's fields, except where it was written."""
    return {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj) if f.name not in WHERE}  # type: ignore


def contents(cluster: Cluster) -> dict:
    """Everything a cluster holds, keyed so that order does not matter."""
    def by_ref(objs):
        return {(o.ref.kind, o.ref.namespace, o.ref.name): fields_of(o) for o in objs}
    return {
        "namespaces": {name: fields_of(ns) for name, ns in cluster.namespaces.items()},
        "pods": by_ref(cluster.pods),
        "policies": by_ref(cluster.policies),
        "tiers": {name: fields_of(t) for name, t in cluster.tiers.items()},
        "network_sets": by_ref(cluster.network_sets),
    }


def api_valid(cluster: Cluster) -> Cluster:
    """The generated cluster without what the ClusterNetworkPolicy API refuses and the strategies allow:
    networks and nodes peers in ingress rules, and named ports in rules that also have such peers."""
    def ingress(rule: CNPRule) -> CNPRule | None:
        peers = tuple(p for p in rule.peers if p.kind in ("namespaces", "pods"))
        return dataclasses.replace(rule, peers=peers) if peers else None

    def egress(rule: CNPRule) -> CNPRule:
        if all(p.kind in ("namespaces", "pods") for p in rule.peers):
            return rule
        return dataclasses.replace(rule, ports=tuple(p for p in rule.ports if p.named_port is None))

    policies = [dataclasses.replace(p, ingress=tuple(r for r in map(ingress, p.ingress) if r is not None),
                                    egress=tuple(map(egress, p.egress)))
                for p in cluster.cluster_network_policies]
    return dataclasses.replace(cluster, cluster_network_policies=tuple(policies))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(clusters())
def test_loading_the_dump_of_a_cluster_gives_the_same_cluster(generated):
    cluster = api_valid(generated)
    loaded = load_string(dump_yaml(cluster_objects(cluster)), "dump.yaml")
    assert contents(loaded) == contents(cluster)


def test_the_chapter_examples_survive_a_round_trip():
    cluster = load(CHAPTER)
    again = load_string(dump_yaml(cluster_objects(cluster)))
    # The policies only name namespace default; the dump writes it, so it is no longer implicit.
    assert cluster.namespaces["default"].implicit and not again.namespaces["default"].implicit
    assert {**contents(again), "namespaces": None} == {**contents(cluster), "namespaces": None}


def test_every_kind_survives_a_round_trip_including_staged_and_legacy_ones():
    objects = [
        Namespace("prod", {"kubernetes.io/metadata.name": "prod", "env": "prod"}),
        Tier("security", 100.5, "Pass"),
        Tier("default", 1_000_000.0, "Deny", builtin=True),
        NetworkPolicy("np", "prod", LabelSelector.of({"app": "web"}, Requirement("tier", "Exists")),
                      ("Ingress", "Egress"), (Rule(),), (Rule(ports=(PolicyPort("UDP", 53), PolicyPort("TCP", 80, 90))),),
                      staged=True),
        CalicoPolicy("cp", "prod", "security", 5.0, "app == 'web'", ("Ingress",), staged=True, ingress=(
            CalicoRule("Allow", 17, None, source=EntityRule(not_ports=(PortRange(1, 1023),))),)),
        ClusterNetworkPolicy("anp", "Admin", 3, CNPSubject(LabelSelector(), LabelSelector.of({"app": "db"})),
                             (CNPRule("Pass", (CNPPeer("namespaces", LabelSelector()),),
                                      (CNPPort("SCTP", 1, 9), CNPPort(named_port="db"), CNPPort("UDP", 5, 5)), "r"),),
                             legacy_kind="AdminNetworkPolicy"),
        ClusterNetworkPolicy("default", "Baseline", 0, CNPSubject(LabelSelector()), (), (
            CNPRule("Deny", (CNPPeer("networks", networks=("10.0.0.0/8",)), CNPPeer("nodes"))),),
            legacy_kind="BaselineAdminNetworkPolicy"),
    ]
    loaded = load_string(dump_yaml(objects))
    expected = Cluster(namespaces={"prod": objects[0]}, network_policies=(objects[3],),
                       calico_policies=(objects[4],), cluster_network_policies=tuple(objects[5:]),
                       tiers={**{t.name: t for t in BUILTIN_TIERS}, "security": objects[1], "default": objects[2]})
    assert contents(loaded) == contents(expected)


# -- what the manifests look like --------------------------------------------------------


def test_a_pod_has_containers_ports_service_account_and_address():
    pod = Pod("web", "prod", {"app": "web"}, (ContainerPort(80, "TCP", "http"), ContainerPort(53, "UDP"),
                                              ContainerPort(8080, "TCP", "http")),
              ip="10.0.0.5", service_account="robot")
    assert to_manifest(pod) == {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": "web", "namespace": "prod", "labels": {"app": "web"}},
        "spec": {"serviceAccountName": "robot", "containers": [
            {"name": "app", "image": DEFAULT_IMAGE,
             "ports": [{"name": "http", "containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}]},
            # A port name may appear once per container, so the second "http" needs a second container.
            {"name": "app-2", "image": DEFAULT_IMAGE, "ports": [{"name": "http", "containerPort": 8080}]},
        ]},
        "status": {"podIP": "10.0.0.5"},
    }


def test_a_pod_address_npkit_made_up_is_not_written():
    manifest = to_manifest(Pod("p", "prod", ip="10.244.0.7", ip_assigned=True), image="busybox")
    assert "status" not in manifest
    assert manifest["spec"] == {"containers": [{"name": "app", "image": "busybox"}]}


def test_defaults_are_left_out_as_a_user_would():
    namespace = to_manifest(Namespace("prod", {"kubernetes.io/metadata.name": "prod"}))
    assert namespace == {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "prod"}}
    policy = to_manifest(CalicoPolicy("p", "prod", ingress=(CalicoRule("Allow"),)))
    assert policy["spec"] == {"types": ["Ingress"], "ingress": [{"action": "Allow"}]}
    port = to_manifest(NetworkPolicy("n", "prod", ingress=(Rule(ports=(PolicyPort("TCP", 443),)),)))
    assert port["spec"]["ingress"] == [{"ports": [{"port": 443}]}]


def test_builtin_tiers_state_their_fixed_values():
    assert to_manifest(BUILTIN_TIERS[0])["spec"] == {"order": 1000, "defaultAction": "Pass"}
    assert to_manifest(Tier("late"))["spec"] == {}


def test_calico_ports_are_written_as_numbers_ranges_and_names():
    rule = CalicoRule("Allow", "TCP", destination=EntityRule(ports=(
        PortRange(80, 80), PortRange(20, 30), PortRange(name="http"))))
    manifest = to_manifest(CalicoPolicy("p", None, ingress=(rule,)))
    assert manifest["kind"] == "GlobalNetworkPolicy"
    assert manifest["spec"]["ingress"][0]["destination"] == {"ports": [80, "20:30", "http"]}
    assert "'20:30'" in dump_yaml([CalicoPolicy("p", None, ingress=(rule,))])  # quoted: never a base-60 number


def test_cluster_network_policy_protocols():
    policy = ClusterNetworkPolicy("c", "Admin", 1, CNPSubject(LabelSelector()), (), (
        CNPRule("Accept", (CNPPeer("pods", LabelSelector(), LabelSelector.of({"app": "db"})),),
                (CNPPort("TCP", 5432, 5432), CNPPort("UDP", 1, 9), CNPPort(named_port="dns"))),))
    spec = to_manifest(policy)["spec"]
    assert spec["subject"] == {"namespaces": {}}
    assert spec["egress"] == [{"action": "Accept", "to": [
        {"pods": {"namespaceSelector": {}, "podSelector": {"matchLabels": {"app": "db"}}}}], "protocols": [
        {"tcp": {"destinationPort": {"number": 5432}}}, {"udp": {"destinationPort": {"range": {"start": 1, "end": 9}}}},
        {"destinationNamedPort": "dns"}]}]


def test_legacy_kinds_are_written_in_their_own_shape():
    banp = ClusterNetworkPolicy("default", "Baseline", 0, CNPSubject(LabelSelector()), (
        CNPRule("Accept", (CNPPeer("namespaces", LabelSelector()),), (CNPPort("TCP", 22, 22),)),),
        legacy_kind="BaselineAdminNetworkPolicy")
    manifest = to_manifest(banp)
    assert (manifest["apiVersion"], manifest["kind"]) == ("policy.networking.k8s.io/v1alpha1",
                                                          "BaselineAdminNetworkPolicy")
    assert manifest["spec"] == {"subject": {"namespaces": {}}, "ingress": [
        {"action": "Allow", "from": [{"namespaces": {}}], "ports": [{"portNumber": {"protocol": "TCP", "port": 22}}]}]}


def test_domain_name_peers_cannot_be_written():
    policy = ClusterNetworkPolicy("c", "Admin", 1, CNPSubject(LabelSelector()), (), (
        CNPRule("Accept", (CNPPeer("domainNames"),)),))
    with pytest.raises(ValueError, match="domainNames"):
        to_manifest(policy)


def test_an_unknown_object_is_refused():
    with pytest.raises(TypeError, match="Origin"):
        to_manifest(Origin())


def test_dump_yaml_is_block_style_with_conventional_key_order():
    text = dump_yaml([Namespace("a"), Tier("security", 100.0)])
    assert text == ("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n---\n"
                    "apiVersion: projectcalico.org/v3\nkind: Tier\nmetadata:\n  name: security\nspec:\n  order: 100\n")
    assert [d["kind"] for d in yaml.safe_load_all(text)] == ["Namespace", "Tier"]

"""connlist on hand-made clusters: what each policy feature does to the list, and how it is written."""

from __future__ import annotations

import csv
import io
import json

import pytest

from npkit.connlist import connlist, render
from npkit.engine import Engine
from npkit.loading import load_string

PODS = """
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: shop, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 80}]}]}
status: {podIP: 10.244.1.1}
---
apiVersion: v1
kind: Pod
metadata: {name: api, namespace: shop, labels: {app: api}}
spec: {containers: [{name: c, image: i, ports: [{name: http, containerPort: 8080}, {name: dns, containerPort: 53, protocol: UDP}]}]}
status: {podIP: 10.244.1.2}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client, namespace: shop}
spec:
  selector: {matchLabels: {app: client}}
  template:
    metadata: {labels: {app: client}}
    spec: {containers: [{name: c, image: i}]}
"""


def _list(policies: str, dataplane: str = "calico", group: str = "workloads"):
    cluster = load_string(PODS + "---\n" + policies)
    return connlist(Engine(cluster, dataplane), group)


def _pairs(cl) -> dict[tuple[str, str], str]:
    return {(s.name, d.name): text for s, d, text in cl.pairs()}


def test_named_port_resolves_to_each_destinations_own_number():
    cl = _list("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: http-only, namespace: shop}
spec:
  podSelector: {}
  ingress: [{ports: [{port: http}]}]
""")
    pairs = _pairs(cl)
    assert pairs["shop/client[Deployment]", "shop/web[Pod]"] == "TCP 80"
    assert pairs["shop/client[Deployment]", "shop/api[Pod]"] == "TCP 8080"
    assert pairs["0.0.0.0-255.255.255.255[External]", "shop/api[Pod]"] == "TCP 8080"
    assert pairs["shop/web[Pod]", "0.0.0.0-255.255.255.255[External]"] == "All Connections"


def test_end_port_range_and_protocols_merge_into_one_text():
    cl = _list("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: ranges, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress:
  - ports: [{port: 8000, endPort: 8100}, {port: 8101}, {port: 53, protocol: UDP}, {protocol: SCTP}]
""")
    assert _pairs(cl)["shop/api[Pod]", "shop/web[Pod]"] == "SCTP 1-65535,TCP 8000-8101,UDP 53"


def test_ip_block_except_cuts_the_outside_into_ranges():
    cl = _list("""
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: egress, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  policyTypes: [Egress]
  egress:
  - to: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 443}]
""")
    from_web = {d: t for (s, d), t in _pairs(cl).items() if s == "shop/web[Pod]"}
    assert from_web == {
        "10.0.0.0-10.0.255.255[External]": "TCP 443",
        "10.2.0.0-10.255.255.255[External]": "TCP 443",
        "shop/api[Pod]": "TCP 443",  # pod addresses inside the block count, as the engine says
        "shop/client[Deployment]": "TCP 443",
    }
    # Ranges the policies do not tell apart are one entity; the others' egress is open.
    assert _pairs(cl)["shop/api[Pod]", "0.0.0.0-9.255.255.255[External]"] == "All Connections"


def test_calico_not_ports_and_not_nets():
    cl = _list("""
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: no-admin-ports, namespace: shop}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - action: Allow
    protocol: TCP
    source: {notNets: [192.168.0.0/16]}
    destination: {notPorts: [22, "8000:8999"]}
""")
    pairs = _pairs(cl)
    assert pairs["shop/api[Pod]", "shop/web[Pod]"] == "TCP 1-21,23-7999,9000-65535"
    assert ("192.168.0.0-192.168.255.255[External]", "shop/web[Pod]") not in pairs
    assert pairs["192.169.0.0-255.255.255.255[External]", "shop/web[Pod]"] == "TCP 1-21,23-7999,9000-65535"


def test_calico_icmp_and_other_protocols():
    cl = _list("""
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: ping-and-not-udp, namespace: shop}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress:
  - {action: Allow, protocol: ICMP, icmp: {type: 8}}
  - {action: Allow, notProtocol: UDP, destination: {selector: app == 'nobody'}}
  - {action: Allow, protocol: TCP, destination: {ports: [80]}}
""")
    assert _pairs(cl)["shop/api[Pod]", "shop/web[Pod]"] == "ICMP type 8,TCP 80"


def test_calico_not_protocol_lists_every_other_protocol():
    cl = _list("""
apiVersion: projectcalico.org/v3
kind: NetworkPolicy
metadata: {name: not-udp, namespace: shop}
spec:
  selector: app == 'web'
  types: [Ingress]
  ingress: [{action: Allow, notProtocol: UDP}]
""")
    assert _pairs(cl)["shop/api[Pod]", "shop/web[Pod]"] == "SCTP 1-65535,TCP 1-65535,other protocols"


def test_cluster_network_policy_admin_deny_and_baseline():
    cl = _list("""
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: no-db-port}
spec:
  tier: Admin
  priority: 10
  subject: {namespaces: {}}
  ingress:
  - action: Deny
    from: [{namespaces: {}}]
    protocols: [{tcp: {destinationPort: {range: {start: 5000, end: 5999}}}}]
""")
    pairs = _pairs(cl)
    assert pairs["shop/web[Pod]", "shop/api[Pod]"] == "SCTP 1-65535,TCP 1-4999,6000-65535,UDP 1-65535,other protocols"
    assert pairs["0.0.0.0-255.255.255.255[External]", "shop/api[Pod]"] == "All Connections"


def test_kubernetes_dataplane_ignores_calico_policies():
    policy = """
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress], ingress: [{action: Deny}]}
"""
    assert ("shop/api[Pod]", "shop/web[Pod]") not in _pairs(_list(policy))
    assert _pairs(_list(policy, "kubernetes"))["shop/api[Pod]", "shop/web[Pod]"] == "All Connections"


def test_group_pods_names_each_pod_plainly():
    cl = _list("", group="pods")
    assert {e.name for e in cl.sources if not e.external} == {"shop/api", "shop/client", "shop/web"}


def test_focus_keeps_the_connections_of_one_workload():
    cl = _list("")
    assert cl.focus_on(["client", "nowhere"]) == ["nowhere"]
    assert {(s, d) for s, d in _pairs(cl)} >= {("shop/client[Deployment]", "shop/web[Pod]")}
    assert all("shop/client[Deployment]" in pair for pair in _pairs(cl))


# -- formats -----------------------------------------------------------------------------------------
POLICY = """
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: web, namespace: shop}
spec:
  podSelector: {matchLabels: {app: web}}
  ingress: [{ports: [{port: 80}, {port: 53, protocol: UDP}]}]
"""


def test_txt_is_netpol_analyzers_line_format_sorted_by_source_then_destination():
    lines = render(_list(POLICY)).splitlines()
    assert lines == sorted(lines)
    assert "shop/api[Pod] => shop/web[Pod] : TCP 80,UDP 53" in lines
    assert "0.0.0.0-255.255.255.255[External] => shop/web[Pod] : TCP 80,UDP 53" in lines
    assert not any(line.startswith("shop/web[Pod] => shop/web[Pod]") for line in lines)


def test_csv_json_and_md_carry_the_same_pairs():
    cl = _list(POLICY)
    txt = {tuple(line.replace(" => ", " : ").split(" : ")) for line in render(cl).splitlines()}
    rows = list(csv.reader(io.StringIO(render(cl, "csv"))))
    assert rows[0] == ["src", "dst", "conn"] and set(map(tuple, rows[1:])) == txt
    assert '"TCP 80,UDP 53"' in render(cl, "csv")  # a field with commas is quoted
    assert {(d["src"], d["dst"], d["conn"]) for d in json.loads(render(cl, "json"))} == txt
    md = render(cl, "md").splitlines()
    assert md[:2] == ["| src | dst | conn |", "|-----|-----|------|"]
    assert {tuple(cell.strip() for cell in line.strip("|").split("|")) for line in md[2:]} == txt


def test_compact_groups_sources_and_destinations_without_losing_a_pair():
    cl = _list(POLICY)
    expanded = set()
    for line in render(cl, compact=True).splitlines():
        ends, text = line.split(" : ")
        srcs, dsts = ends.split(" => ")
        expanded |= {(s, d, text) for s in srcs.split(", ") for d in dsts.split(", ")}
    assert expanded == {(s.name, d.name, t) for s, d, t in cl.pairs()}
    assert len(render(cl, compact=True)) < len(render(cl))
    assert all(isinstance(item["src"], list) for item in json.loads(render(cl, "json", compact=True)))


def test_dot_groups_pods_by_namespace_and_labels_edges():
    dot = render(_list(POLICY), "dot")
    assert dot.startswith("digraph {\n") and dot.endswith("}\n")
    assert '\tsubgraph "cluster_shop[namespace]" {' in dot
    assert '"shop/web[Pod]" [label="web[Pod]" color="blue" fontcolor="blue"]' in dot
    assert '"shop/api[Pod]" -> "shop/web[Pod]" [label="TCP 80,UDP 53" color="gold2"' in dot


def test_empty_json_is_an_empty_list():
    cluster = load_string("""
apiVersion: v1
kind: Pod
metadata: {name: only, namespace: x}
spec: {containers: [{name: c, image: i}]}
status: {podIP: 10.0.0.1}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: deny-all}
spec: {selector: all(), types: [Ingress, Egress], ingress: [{action: Deny}], egress: [{action: Deny}]}
""")
    assert json.loads(render(connlist(Engine(cluster)), "json")) == []


@pytest.mark.parametrize("bad", ["shop", "frontend"])
def test_focus_on_unknown_names_reports_them(bad):
    assert _list("").focus_on([bad]) == [bad]


def test_pods_of_one_workload_are_one_entity_allowing_what_any_of_them_allows():
    from dataclasses import replace

    from npkit.model import ObjectRef

    cluster = load_string(PODS + "---\n" + POLICY)
    owner = ObjectRef("ReplicaSet", "web-5d9f", "shop")
    # Two pods of one ReplicaSet, as `kubectl get pods -o yaml` would show them: the policy selects one.
    pods = tuple(replace(p, workload=owner) if p.name in ("web", "api") else p for p in cluster.pods)
    grouped = connlist(Engine(replace(cluster, pods=pods)))
    names = {e.name for e in grouped.sources if not e.external}
    assert names == {"shop/web-5d9f[ReplicaSet]", "shop/client[Deployment]"}
    pairs = _pairs(grouped)
    assert pairs["shop/client[Deployment]", "shop/web-5d9f[ReplicaSet]"] == "All Connections"  # api is open
    assert ("shop/web-5d9f[ReplicaSet]", "shop/web-5d9f[ReplicaSet]") not in pairs
    each = connlist(Engine(replace(cluster, pods=pods)), group="pods")
    assert _pairs(each)["shop/client", "shop/web"] == "TCP 80,UDP 53"


def test_pods_from_kubectl_get_pods_group_by_their_controller():
    pods = "---\n".join(f"""
apiVersion: v1
kind: Pod
metadata:
  name: web-5d9f-{suffix}
  namespace: shop
  labels: {{app: web}}
  ownerReferences:
  - {{apiVersion: apps/v1, kind: ReplicaSet, name: web-5d9f, uid: 8d3c, controller: true, blockOwnerDeletion: true}}
spec: {{containers: [{{name: c, image: i}}]}}
status: {{podIP: 10.244.1.{n}}}
""" for n, suffix in ((7, "abcde"), (8, "fghij")))
    cluster = load_string(PODS + "---\n" + pods)
    assert {p.workload.name for p in cluster.pods if p.workload} >= {"web-5d9f", "client"}
    names = {e.name for e in connlist(Engine(cluster)).sources if not e.external}
    assert "shop/web-5d9f[ReplicaSet]" in names and not any("abcde" in n for n in names)
    assert {"shop/web-5d9f-abcde", "shop/web-5d9f-fghij"} <= {e.name for e in connlist(Engine(cluster), group="pods").sources}

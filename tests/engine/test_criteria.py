"""ProgramCriteria: every address, port, named port and protocol the compiled rules name, for all families."""

from __future__ import annotations

from npkit.engine import Engine, PortSpan
from npkit.loading import load_string

CLUSTER = """
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: x, labels: {app: web}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 8080, name: http}, {containerPort: 53, protocol: UDP, name: dns}]}]}
status: {podIP: 10.0.0.1}
---
apiVersion: v1
kind: Pod
metadata: {name: db, namespace: x, labels: {app: db}}
spec: {containers: [{name: c, image: i, ports: [{containerPort: 5432, name: http}]}]}
status: {podIP: 10.0.0.2}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: k, namespace: x}
spec:
  podSelector: {}
  policyTypes: [Ingress, Egress]
  ingress:
  - from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}}]
    ports: [{port: 80}, {protocol: UDP, port: 5000, endPort: 5010}, {port: http}]
  egress:
  - ports: [{protocol: SCTP}]
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: reached, labels: {role: dns}}
spec: {nets: [192.0.2.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkSet
metadata: {name: unused, labels: {role: nothing}}
spec: {nets: [198.51.100.0/24]}
---
apiVersion: projectcalico.org/v3
kind: GlobalNetworkPolicy
metadata: {name: c}
spec:
  selector: all()
  types: [Egress]
  egress:
  - action: Allow
    protocol: ICMP
    icmp: {type: 8, code: 0}
  - action: Deny
    protocol: TCP
    destination: {notNets: [2001:db8::/32], selector: role == 'dns', ports: [dns, "9000:9100"]}
---
apiVersion: projectcalico.org/v3
kind: StagedGlobalNetworkPolicy
metadata: {name: staged}
spec:
  selector: all()
  types: [Egress]
  egress:
  - action: Deny
    protocol: 47
    destination: {nets: [172.16.0.0/12]}
---
apiVersion: policy.networking.k8s.io/v1alpha2
kind: ClusterNetworkPolicy
metadata: {name: cnp}
spec:
  tier: Admin
  priority: 1
  subject: {namespaces: {}}
  egress:
  - action: Deny
    to: [{networks: [100.64.0.0/10]}]
    protocols: [{udp: {destinationPort: {number: 123}}}]
"""


def criteria():
    return Engine(load_string(CLUSTER)).criteria


def test_cidrs_come_from_every_family_with_excepts_and_network_sets_a_selector_reaches():
    assert criteria().cidrs == ("10.0.0.0/8", "10.1.0.0/16", "100.64.0.0/10", "172.16.0.0/12",
                                "192.0.2.0/24", "2001:db8::/32")


def test_port_spans_are_per_protocol_and_a_calico_range_counts_for_every_port_protocol():
    spans = criteria().port_spans
    assert PortSpan("TCP", 80, 80) in spans and PortSpan("UDP", 5000, 5010) in spans
    assert PortSpan("UDP", 123, 123) in spans
    assert {s.protocol for s in spans if (s.first, s.last) == (9000, 9100)} == {"TCP", "UDP", "SCTP"}


def test_named_ports_resolve_on_pods_through_the_engines_matcher():
    c = criteria()
    assert sorted(n.name for n in c.named_ports) == ["dns", "http"]
    e = Engine(load_string(CLUSTER))
    resolved = {(e.pods[i], proto, number) for i, proto, number in c.resolved_named_ports(e.universe)}
    assert ("x/web", "TCP", 8080) in resolved and ("x/db", "TCP", 5432) in resolved


def test_protocols_and_icmp_are_what_rules_name_explicitly_staged_included():
    c = criteria()
    assert c.protocols == ("47", "ICMP", "SCTP", "TCP", "UDP")
    assert c.icmp == ((8, 0),)


def test_the_kubernetes_dataplane_leaves_calico_criteria_out():
    c = Engine(load_string(CLUSTER), "kubernetes").criteria
    assert "192.0.2.0/24" not in c.cidrs and "2001:db8::/32" not in c.cidrs
    assert c.icmp == ()

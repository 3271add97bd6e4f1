"""Node (v1): labels and status.addresses, for ClusterNetworkPolicy nodes peers."""

from __future__ import annotations

import pytest

from npkit.loading import load_string
from npkit.model import InputError, NodeAddress

NODE = """\
apiVersion: v1
kind: Node
metadata: {name: kind-worker, labels: {node-role: worker}}
spec: {podCIDR: 10.244.1.0/24}
status:
  addresses:
  - {type: InternalIP, address: 172.18.0.3}
  - {type: Hostname, address: kind-worker}
  - {type: ExternalIP, address: 2001:db8::3}
  capacity: {cpu: "4"}
"""


def test_a_node_keeps_its_labels_and_addresses():
    [node] = load_string(NODE).nodes
    assert node.name == "kind-worker" and node.labels == {"node-role": "worker"}
    assert node.addresses[1] == NodeAddress("Hostname", "kind-worker")
    assert node.ips == ("172.18.0.3", "2001:db8::3")
    assert node.origin.line == 1


def test_a_node_without_ip_addresses_loads_with_a_warning_that_no_nodes_peer_matches_it():
    cluster = load_string("apiVersion: v1\nkind: Node\nmetadata: {name: node-1}\n", "n.yaml")
    assert len(cluster.nodes) == 1
    [warning] = cluster.warnings
    assert "no InternalIP or ExternalIP" in warning.message and warning.path == "status.addresses"


def test_a_bad_node_address_is_an_error_with_its_field_path():
    text = NODE.replace("172.18.0.3", "172.18.0.300")
    with pytest.raises(InputError) as info:
        load_string(text, "n.yaml")
    [error] = info.value.errors
    assert error.path == "status.addresses[0].address" and error.origin.line == 7


def test_a_node_is_cluster_scoped_and_merges_by_name():
    cluster = load_string(NODE + "---\n" + NODE.replace("172.18.0.3", "172.18.0.9"))
    assert [n.ips[0] for n in cluster.nodes] == ["172.18.0.9"]

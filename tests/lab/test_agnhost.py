"""agnhost commands and the parsing of its answers (docs/semantics/kind-lab.md, "Probing")."""

import pytest

from npkit.cluster import agnhost
from npkit.model import ContainerPort, Pod

IMAGE = "registry.example/agnhost:test"


@pytest.mark.parametrize(("code", "stderr", "outcome"), [
    (0, "", "CONNECTED"),
    (1, "TIMEOUT\n", "TIMEOUT"),
    (1, "REFUSED\n", "REFUSED"),
    (1, "DNS: lookup web: no such host\n", "DNS"),
    (1, "UNKNOWN: address 10.0.0.1: missing port in address\n", "UNKNOWN"),
    (1, "OTHER: dial tcp 10.0.0.1:80: connect: no route to host\n", "OTHER"),
    (1, "OTHER: dial sctp 10.0.0.1:80: connection refused\n", "REFUSED"),  # SCTP reports refusals as OTHER
    (1, "OTHER: i/o timeout\n", "TIMEOUT"),
    (None, "error: unable to upgrade connection: container not found (\"serve-tcp-80\")", "ERROR"),
    (126, "", "ERROR"),
])
def test_parse_connect(code, stderr, outcome):
    assert agnhost.parse_connect(code, stderr)[0] == outcome


def test_timeout_and_refused_are_told_apart():
    assert agnhost.parse_connect(1, "TIMEOUT\n") != agnhost.parse_connect(1, "REFUSED\n")


def test_connect_argv_per_protocol_and_family():
    assert agnhost.connect_argv("10.1.2.3", 53, "UDP", 2) == [
        "/agnhost", "connect", "10.1.2.3:53", "--timeout=2s", "--protocol=udp"]
    assert agnhost.connect_argv("fd00::1", 80, "SCTP")[2] == "[fd00::1]:80"
    with pytest.raises(ValueError):
        agnhost.connect_argv("10.1.2.3", 80, "ICMP")


def test_one_server_container_per_declared_port_keeping_names():
    pod = Pod("web", "x", {"app": "web"}, (ContainerPort(80, "TCP", "http"), ContainerPort(53, "UDP", "dns"),
                                           ContainerPort(9000, "SCTP")))
    containers = agnhost.containers(pod, IMAGE)
    assert [c["name"] for c in containers] == ["serve-tcp-80", "serve-udp-53", "serve-sctp-9000"]
    assert containers[0]["command"] == ["/agnhost", "serve-hostname", "--tcp", "--http=false", "--port", "80"]
    assert containers[0]["ports"] == [{"containerPort": 80, "protocol": "TCP", "name": "http"}]
    assert "--udp" in containers[1]["command"]
    assert containers[2]["command"] == ["/agnhost", "porter"]
    assert containers[2]["env"] == [{"name": "SERVE_SCTP_PORT_9000", "value": "foo"}]
    assert all(c["image"] == IMAGE for c in containers)


def test_a_pod_without_ports_still_gets_agnhost_to_probe_from():
    (only,) = agnhost.containers(Pod("client", "x"), IMAGE)
    assert only["command"] == ["/agnhost", "pause"] and "ports" not in only

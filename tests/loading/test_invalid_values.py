"""Refused values are quoted in the message, as the API server quotes them (`Invalid value: "..."`)."""

from __future__ import annotations

import pytest

from .conftest import policy

POD = """\
apiVersion: v1
kind: Pod
metadata: {{name: web, namespace: prod}}
spec:
  containers:
  - name: {container}
    image: nginx
    ports: [{{containerPort: {port}, name: {port_name}}}]
"""


def pod(container: str = "web", port: str = "80", port_name: str = "http") -> str:
    return POD.format(container=container, port=port, port_name=port_name)


CASES = [
    ("cidr", policy("podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: 10.0.0.300/24}"),
     "spec.ingress[0].from[0].ipBlock.cidr",
     'Invalid value: "10.0.0.300/24": must be a CIDR such as 10.0.0.0/16'),
    ("port-name-16", policy("podSelector: {}\ningress:\n- ports:\n  - port: abcdefghijklmnop"),
     "spec.ingress[0].ports[0].port",
     'Invalid value: "abcdefghijklmnop": a port name must be at most 15 characters (it has 16)'),
    ("port-number", policy("podSelector: {}\ningress:\n- ports:\n  - port: 70000"),
     "spec.ingress[0].ports[0].port", "Invalid value: 70000: must be between 1 and 65535"),
    ("protocol", policy("podSelector: {}\ningress:\n- ports:\n  - {port: 80, protocol: tcp}"),
     "spec.ingress[0].ports[0].protocol", 'Invalid value: "tcp": must be one of TCP, UDP, SCTP (in capitals)'),
    ("label-value", policy("podSelector: {matchLabels: {app: -web}}"),
     "spec.podSelector.matchLabels.app", 'Invalid value: "-web": a label value must use only'),
    ("label-key", policy("podSelector: {matchLabels: {'a b': web}}"),
     'spec.podSelector.matchLabels["a b"]', 'Invalid value: "a b": a label key must use only'),
    ("policy-name", policy("podSelector: {}", name="Allow_Web"),
     "metadata.name", 'Invalid value: "Allow_Web": must use only lowercase letters'),
    ("namespace", policy("podSelector: {}", namespace="Prod"),
     "metadata.namespace", 'Invalid value: "Prod": must use only lowercase letters'),
    ("container-name", pod(container="Web"), "spec.containers[0].name", 'Invalid value: "Web": must use only'),
    ("container-port", pod(port="0"), "spec.containers[0].ports[0].containerPort",
     "Invalid value: 0: must be between 1 and 65535"),
    ("container-port-name", pod(port_name="HTTP"), "spec.containers[0].ports[0].name",
     'Invalid value: "HTTP": a port name must use only lowercase letters (a-z), digits and \'-\' (write "http")'),
]


@pytest.mark.parametrize("text, path, message", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_refused_value_is_quoted(yaml_loader, text, path, message):
    errors = [e for e in yaml_loader.errors(text) if e.path == path]
    assert errors and errors[0].message.startswith(message), errors


def test_a_long_value_is_cut_and_its_length_given(yaml_loader):
    long_name = "x" * 300
    error = yaml_loader.error(policy("podSelector: {}\ningress:\n- from:\n  - ipBlock: {cidr: " + long_name + "}"))
    assert error.message.startswith(f'Invalid value: "{"x" * 64}..." (300 characters): must be a CIDR')
    assert len(error.message) < 250


def test_quotes_and_control_characters_are_escaped(yaml_loader):
    error = yaml_loader.error(policy('podSelector: {matchLabels: {app: "we\\"b\\t"}}'))
    assert error.message.startswith('Invalid value: "we\\"b\\t": ')

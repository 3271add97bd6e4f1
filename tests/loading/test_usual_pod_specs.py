"""The quick readers of usual pod specs and containers (podspec._usual_pod_spec, _usual_container)
change nothing a user can see.

For any pod, loading it with the quick readers and without them gives the same pods (ports, names,
protocols, service account, hostNetwork) and the same diagnostics, word for word and line for
line: a quick reader either gives up or returns what the full reader would, on a part the full
reader has nothing to say about.
"""

from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from npkit.errors import InputError
from npkit.loading import load_string, podspec

# Odd values for each field (of a wrong type, invalid, or null); a drawn container is usual but for a
# few of them, so that both readers meet every oddity alone and the quick one still takes many.
ODD: dict[str, list[object]] = {
    "name": ["Web", "a.b", "", "x" * 64, None, 7, True, "web"],  # "web": see pods()
    "image": ["", 5, None],
    "ports": [None, {}, "80", []],
    "containerPort": [0, 65536, -1, "80", True, None, 1.5, 65535],
    "port name": ["HTTP", "80", "web--1", "-x", "", "a" * 16, None, 8080, "http"],  # "http": see pods()
    "protocol": ["tcp", "", None, 6, "UDP", "SCTP"],
}
SPEC_FIELDS: dict[str, list[object]] = {  # the pod spec's other fields the readers look at
    "serviceAccountName": ["sa-1", "web.sa", "sa-2", "SA", "", None, 5],
    "serviceAccount": ["legacy", "old-sa", "Bad_Name", None],
    "hostNetwork": [True, False, "yes", None, 1],
}
EXTRA_CONTAINER_FIELDS = ["args", "imagee", "targetContainerName", "env"]
EXTRA_PORT_FIELDS = ["hostPort", "hostIP", "containerport", "targetPort"]


# Every oddity as (where, field, value); "missing" takes the field away. One is drawn at a time, evenly.
ODDITIES = [
    *[(where, field, value) for (where, field), values in {
        ("container", "name"): ODD["name"], ("container", "image"): ODD["image"],
        ("container", "ports"): ODD["ports"], ("port", "containerPort"): ODD["containerPort"],
        ("port", "name"): ODD["port name"], ("port", "protocol"): ODD["protocol"]}.items() for value in values],
    *[("container", field, ["x"]) for field in EXTRA_CONTAINER_FIELDS],
    *[("port", field, value) for field in EXTRA_PORT_FIELDS for value in (8080, 0)],
    *[("container", field, "missing") for field in ("name", "image", "ports")],
    ("port", "containerPort", "missing"),
]


@st.composite
def ports(draw: st.DrawFn) -> dict[str, object]:
    port: dict[str, object] = {"containerPort": draw(st.sampled_from([80, 53, 8080, 9090]))}
    if draw(st.booleans()):
        port["name"] = f"p{draw(st.integers(0, 10**6))}"  # seldom repeated: repeats are oddities of their own
    if draw(st.booleans()):
        port["protocol"] = draw(st.sampled_from(["TCP", "UDP", "SCTP"]))
    return port


@st.composite
def containers(draw: st.DrawFn) -> object:
    if not draw(st.integers(0, 29)):
        return draw(st.sampled_from([None, "web", [], 3]))
    container: dict[str, object] = {"name": f"c{draw(st.integers(0, 10**6))}", "image": "nginx",
                                     "ports": draw(st.lists(ports(), max_size=3))}
    if draw(st.booleans()):  # half have one oddity
        where, field, value = draw(st.sampled_from(ODDITIES))
        target = container
        if where == "port":
            target = draw(ports())
            container["ports"] = [*container["ports"], target]  # type: ignore[misc]
        if value == "missing":
            del target[field]
        else:
            target[field] = value
    return container


@st.composite
def pods(draw: st.DrawFn) -> str:
    first = {"name": "web", "image": "nginx", "ports": [{"containerPort": 80, "name": "http"}]}
    # Half the pods start with `first`, which the oddities "web" and "http" then repeat.
    spec: dict[str, object] = {"containers": [first] * draw(st.integers(0, 1))
                               + draw(st.lists(containers(), min_size=1, max_size=3))}
    for field in ("initContainers", "ephemeralContainers"):
        if not draw(st.integers(0, 4)):
            spec[field] = draw(st.lists(containers(), max_size=2))
    if not draw(st.integers(0, 19)):
        spec["containers"] = draw(st.sampled_from([[], None, "web", {}]))
    for field, values in SPEC_FIELDS.items():
        if not draw(st.integers(0, 2)):
            spec[field] = draw(st.sampled_from(values))
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "demo"}, "spec": spec}
    return yaml.safe_dump(pod, sort_keys=False)


USUAL_POD = """\
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: demo}
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - {containerPort: 80, name: http}
    - {containerPort: 53, name: dns, protocol: UDP}
  - name: metrics
    image: exporter
    ports:
    - {containerPort: 9090, name: metrics, protocol: TCP}
"""


def outcome(text: str) -> tuple[object, list[str]]:
    """The pods' ports and every diagnostic, as a user sees them."""
    try:
        cluster = load_string(text, "pod.yaml")
    except InputError as e:
        return None, [str(d) for d in e.diagnostics]
    pods = [(p.ports, p.service_account, p.host_network) for p in cluster.pods]
    return pods, [str(d) for d in cluster.diagnostics]


@settings(max_examples=800, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pods())
def test_the_quick_readers_change_nothing(full_readers_only, text):
    assert outcome(text) == full_readers_only(outcome, text), text


def test_usual_pod_specs_take_the_quick_path(full_readers_only, quick_path_taken):
    """Not a vacuous agreement: a usual pod spec and its containers are read by the quick readers, and agree."""
    specs, containers = quick_path_taken(podspec, "_usual_pod_spec"), quick_path_taken(podspec, "_usual_container")
    assert outcome(USUAL_POD) == full_readers_only(outcome, USUAL_POD)
    assert (specs, containers) == ([True], [True, True])


NAME_SECOND = USUAL_POD.replace("  - name: web\n    image: nginx\n", "  - image: nginx\n    name: web\n")


@pytest.mark.parametrize("text, message", [
    (USUAL_POD.replace("- name: metrics", "- name: web"), 'container name "web" is used twice (first at line 6)'),
    (NAME_SECOND.replace("- name: metrics", "- name: web"), 'container name "web" is used twice (first at line 7)'),
    (USUAL_POD.replace("name: metrics, protocol: TCP", "name: dns, protocol: UDP"),
     'port name "dns" is also used by another container (line 10)'),
])
def test_a_repeat_points_at_the_first_even_when_that_was_read_quickly(text, message):
    """The first container is read quickly; the second repeats a name: the message names the first one's line."""
    _pods, diagnostics = outcome(text)
    assert any(message in d for d in diagnostics), diagnostics

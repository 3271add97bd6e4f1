"""PodSpec and containers, shared by Pod and the workload kinds (their pod templates).

Every field name of the Kubernetes API is known, so a typo is an error, but only the
fields that matter to network policy are read: containers and their ports, the service
account and hostNetwork. The contents of the others (volumes, resources, probes, ...) are
not checked. Field lists follow the Kubernetes 1.37 API (the `kubernetes` Python client's
models, which the tests compare them with).
"""

from __future__ import annotations

from dataclasses import dataclass

from npkit.i18n import messages
from npkit.model import PROTOCOLS_WITH_PORTS, ContainerPort

from . import validation
from .fields import Field, Fields, scalar_text
from .yamlio import Mapping, Node, Scalar, Sequence

_ = messages("npkit").gettext
POD_SPEC_FIELDS = frozenset({
    "activeDeadlineSeconds", "affinity", "automountServiceAccountToken", "containers", "dnsConfig",
    "dnsPolicy", "enableServiceLinks", "ephemeralContainers", "evictionResponders", "hostAliases",
    "hostIPC", "hostNetwork", "hostPID", "hostUsers", "hostname", "hostnameOverride", "imagePullSecrets",
    "initContainers", "nodeName", "nodeSelector", "os", "overhead", "preemptionPolicy", "priority",
    "priorityClassName", "readinessGates", "resourceClaims", "resources", "restartPolicy",
    "runtimeClassName", "schedulerName", "schedulingGates", "schedulingGroup", "securityContext",
    "serviceAccount", "serviceAccountName", "setHostnameAsFQDN", "shareProcessNamespace", "subdomain",
    "terminationGracePeriodSeconds", "tolerations", "topologySpreadConstraints", "volumes",
})
CONTAINER_FIELDS = frozenset({
    "args", "command", "env", "envFrom", "image", "imagePullPolicy", "lifecycle", "livenessProbe", "name",
    "ports", "readinessProbe", "resizePolicy", "resources", "restartPolicy", "restartPolicyRules",
    "securityContext", "startupProbe", "stdin", "stdinOnce", "terminationMessagePath",
    "terminationMessagePolicy", "tty", "volumeDevices", "volumeMounts", "workingDir",
})
EPHEMERAL_CONTAINER_FIELDS = CONTAINER_FIELDS | {"targetContainerName"}
CONTAINER_PORT_FIELDS = frozenset({"containerPort", "hostIP", "hostPort", "name", "protocol"})
_USUAL_PORT_FIELDS = frozenset({"containerPort", "name", "protocol"})  # what _usual_container takes
POD_TEMPLATE_FIELDS = frozenset({"metadata", "spec"})


@dataclass(frozen=True)
class PodSpecInfo:
    """What npkit takes from a PodSpec."""

    ports: tuple[ContainerPort, ...] = ()
    service_account: str = "default"
    host_network: bool = False


def read_pod_spec(spec: Fields) -> PodSpecInfo:
    """Check a PodSpec and take the container ports, service account and hostNetwork.

    Ports come from `containers` only: init containers do not serve traffic.
    """
    usual = _usual_pod_spec(spec.node.entries)
    if usual is not None:
        return usual
    containers = spec.get_list("containers", required=True)
    if containers is not None and not containers:
        spec.at("containers").error(_("must list at least one container"))
    names: dict[str, int] = {}  # container name -> the line it was first given on
    ports: list[ContainerPort] = []
    port_names: dict[str, int] = {}  # port name -> its line, over the pod's containers
    for item in containers or ():
        ports.extend(_read_container(item, names, port_names, CONTAINER_FIELDS))
    for item in spec.get_list("initContainers") or ():
        _read_container(item, names, {}, CONTAINER_FIELDS)
    for item in spec.get_list("ephemeralContainers") or ():
        _read_container(item, names, {}, EPHEMERAL_CONTAINER_FIELDS)
    account_field = spec.get("serviceAccountName") or spec.get("serviceAccount")  # the latter is deprecated
    account = account_field.as_str() if account_field is not None else None
    if account is not None and account_field is not None:
        account_field.invalid(validation.dns1123_subdomain(account))
    host_network = spec.get_bool("hostNetwork")
    return PodSpecInfo(tuple(ports), account or "default", bool(host_network))


def _usual_pod_spec(entries: dict[str, tuple[int, Node]]) -> PodSpecInfo | None:
    """What read_pod_spec takes from a PodSpec of the usual shape, without a Field per value; None for any other.

    Usual: containers that _usual_container takes, no init or ephemeral containers, a valid service
    account name (or none) and hostNetwork true, false or absent. The other fields are not read.
    """
    containers = entries.get("containers")
    if containers is None or type(containers[1]) is not Sequence or not containers[1].items:
        return None
    if "initContainers" in entries or "ephemeralContainers" in entries:
        return None
    names: dict[str, int] = {}
    port_names: dict[str, int] = {}
    ports: list[ContainerPort] = []
    for item in containers[1].items:
        got = _usual_container(item, names, port_names, CONTAINER_FIELDS)
        if got is None:
            return None
        ports += got
    account = "default"
    for field in ("serviceAccountName", "serviceAccount"):  # the first one written wins (the latter is deprecated)
        if field in entries:
            written = scalar_text(entries[field])
            if written is None or validation.dns1123_subdomain(written):
                return None
            account = written
            break
    host_network = False
    flag = entries.get("hostNetwork")
    if flag is not None:
        node = flag[1]
        if type(node) is not Scalar or type(node.value) is not bool:
            return None
        host_network = node.value
    return PodSpecInfo(tuple(ports), account, host_network)


def _read_container(
    item: Field, names: dict[str, int], pod_port_names: dict[str, int], known: frozenset[str]
) -> list[ContainerPort]:
    usual = _usual_container(item.node, names, pod_port_names, known)
    if usual is not None:
        return usual
    container = item.as_map(known)
    if container is None:
        return []
    name = container.get_str("name", required=True)
    if name is not None:
        name_field = container.at("name")
        name_field.invalid(validation.dns1123_label(name))
        if name in names:
            name_field.error(_('container name "{name}" is used twice (first at line {line}); container names must be '
                               "unique in a pod").format(name=name, line=names[name]))
        names.setdefault(name, name_field.line)
    container.get_str("image", required=True)
    ports = []
    own_names: set[str] = set()
    for port_item in container.get_list("ports") or ():
        port = _read_container_port(port_item, own_names, pod_port_names)
        if port is not None:
            ports.append(port)
    return ports


def _usual_container(node: Node, names: dict[str, int], pod_port_names: dict[str, int],
                     known: frozenset[str]) -> list[ContainerPort] | None:
    """The ports of a container of the usual shape, read without a Field per value; None for any other.

    Usual: every field known, a valid name not used before, an image, and ports with a valid number,
    protocol and name (not used before in the pod) and no hostPort or hostIP. On such a container
    _read_container has nothing to report and returns these ports (tests/loading/test_usual_pod_specs.py
    holds the two to that); anything else, valid or not, it reads itself.
    """
    if type(node) is not Mapping or not node.entries.keys() <= known:
        return None
    entries = node.entries
    name, image = scalar_text(entries.get("name")), scalar_text(entries.get("image"))
    if name is None or image is None or name in names or validation.dns1123_label(name):
        return None
    ports: list[ContainerPort] = []
    own_names: dict[str, int] = {}
    listed = entries.get("ports")
    if listed is not None:
        if type(listed[1]) is not Sequence:
            return None
        for item in listed[1].items:
            port = _usual_port(item, own_names, pod_port_names)
            if port is None:
                return None
            ports.append(port)
    names[name] = entries["name"][1].line
    for port_name, line in own_names.items():
        pod_port_names.setdefault(port_name, line)
    return ports


def _usual_port(node: Node, own_names: dict[str, int], pod_port_names: dict[str, int]) -> ContainerPort | None:
    """A `ports` item of the usual shape (see _usual_container), else None."""
    if type(node) is not Mapping or not node.entries.keys() <= _USUAL_PORT_FIELDS:
        return None
    entries = node.entries
    number = entries.get("containerPort")
    if number is None or type(number[1]) is not Scalar or type(number[1].value) is not int:
        return None
    value = number[1].value
    if not 1 <= value <= 65535:
        return None
    protocol = scalar_text(entries.get("protocol")) if "protocol" in entries else "TCP"
    if protocol not in PROTOCOLS_WITH_PORTS:
        return None
    name = None
    if "name" in entries:
        name = scalar_text(entries["name"])
        if name is None or name in own_names or name in pod_port_names or validation.port_name(name):
            return None
        own_names[name] = entries["name"][1].line
    return ContainerPort(value, protocol, name)


def _read_container_port(
    item: Field, own_names: set[str], pod_names: dict[str, int]
) -> ContainerPort | None:
    fields = item.as_map(CONTAINER_PORT_FIELDS)
    if fields is None:
        return None
    errors_before = item.report.error_count
    number = fields.get_int("containerPort", required=True)
    if number is not None:
        fields.check("containerPort", validation.port_number(number))
    host_port = fields.get_int("hostPort")
    if host_port:  # 0 means "not set"
        fields.check("hostPort", validation.port_number(host_port))
    protocol = fields.get_str("protocol") or "TCP"
    fields.check("protocol", validation.protocol(protocol))
    name = fields.get_str("name")
    name_field = fields.get("name")
    if name is not None and name_field is not None:
        problems = validation.port_name(name)
        name_field.invalid(problems)
        if not problems and name in own_names:
            name_field.error(_('port name "{name}" is used twice in this container').format(name=name))
        elif not problems and name in pod_names:
            name_field.warning(_('port name "{name}" is also used by another container (line {line}); the API server '
                                 "warns about this, and a policy naming the port may match either").format(
                name=name, line=pod_names[name]))
        own_names.add(name)
        pod_names.setdefault(name, name_field.line)
    if item.report.error_count > errors_before or number is None:
        return None
    return ContainerPort(number, protocol, name or None)

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
from npkit.model import ContainerPort

from . import validation
from .fields import Field, Fields

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
    containers = spec.get_list("containers", required=True)
    if containers is not None and not containers:
        spec.at("containers").error(_("must list at least one container"))
    names: dict[str, Field] = {}
    ports: list[ContainerPort] = []
    port_names: dict[str, Field] = {}
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


def _read_container(
    item: Field, names: dict[str, Field], pod_port_names: dict[str, Field], known: frozenset[str]
) -> list[ContainerPort]:
    container = item.as_map(known)
    if container is None:
        return []
    name = container.get_str("name", required=True)
    if name is not None:
        name_field = container.get("name")
        assert name_field is not None
        name_field.invalid(validation.dns1123_label(name))
        if name in names:
            name_field.error(_('container name "{name}" is used twice (first at line {line}); container names must be '
                               "unique in a pod").format(name=name, line=names[name].line))
        names.setdefault(name, name_field)
    container.get_str("image", required=True)
    ports = []
    own_names: set[str] = set()
    for port_item in container.get_list("ports") or ():
        port = _read_container_port(port_item, own_names, pod_port_names)
        if port is not None:
            ports.append(port)
    return ports


def _read_container_port(
    item: Field, own_names: set[str], pod_names: dict[str, Field]
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
                name=name, line=pod_names[name].line))
        own_names.add(name)
        pod_names.setdefault(name, name_field)
    if item.report.error_count > errors_before or number is None:
        return None
    return ContainerPort(number, protocol, name or None)

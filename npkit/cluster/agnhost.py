"""agnhost as server and client (docs/semantics/kind-lab.md, "Probing"): one server container per declared port,
`agnhost connect` as the probe, and its TIMEOUT / REFUSED / ... answers parsed."""

from __future__ import annotations

import ipaddress
from typing import Any

from ..model import ContainerPort, Pod

# Outcomes as npkit.lab.backend.Outcome spells them.
CONNECTED, TIMEOUT, REFUSED, DNS, OTHER, UNKNOWN, ERROR = (
    "CONNECTED", "TIMEOUT", "REFUSED", "DNS", "OTHER", "UNKNOWN", "ERROR")
PROBE_PROTOCOLS = ("TCP", "UDP", "SCTP")


def container_name(port: ContainerPort) -> str:
    """`serve-tcp-80`: unique per (protocol, port), a valid container name.

    >>> container_name(ContainerPort(53, "UDP"))
    'serve-udp-53'
    """
    return f"serve-{port.protocol.lower()}-{port.port}"


def server_command(port: ContainerPort) -> tuple[list[str], list[dict[str, Any]]]:
    """Command and env of the container serving one port, as the upstream e2e suite does."""
    if port.protocol == "TCP":
        return ["/agnhost", "serve-hostname", "--tcp", "--http=false", "--port", str(port.port)], []
    if port.protocol == "UDP":
        return ["/agnhost", "serve-hostname", "--udp", "--http=false", "--port", str(port.port)], []
    if port.protocol == "SCTP":
        return ["/agnhost", "porter"], [{"name": f"SERVE_SCTP_PORT_{port.port}", "value": "foo"}]
    raise ValueError(f"agnhost cannot serve protocol {port.protocol}")


def containers(pod: Pod, image: str) -> list[dict[str, Any]]:
    """The pod's containers: a server per declared port (names kept, for named ports), or one idle
    container when it declares none, so every pod can run `agnhost connect` as a client."""
    out = []
    seen: set[tuple[str, int]] = set()
    for port in pod.ports:
        if (port.protocol, port.port) in seen:
            continue  # the same port declared by two containers: one server is enough
        seen.add((port.protocol, port.port))
        command, env = server_command(port)
        declared: dict[str, Any] = {"containerPort": port.port, "protocol": port.protocol}
        if port.name:
            declared["name"] = port.name
        container: dict[str, Any] = {"name": container_name(port), "image": image, "imagePullPolicy": "IfNotPresent",
                           "command": command, "ports": [declared]}
        if env:
            container["env"] = env
        out.append(container)
    if not out:
        out.append({"name": "client", "image": image, "imagePullPolicy": "IfNotPresent",
                    "command": ["/agnhost", "pause"]})
    return out


def connect_argv(ip: str, port: int, protocol: str = "TCP", timeout: float = 1.0) -> list[str]:
    """The probe command run inside the source pod.

    >>> connect_argv("192.168.1.5", 80)
    ['/agnhost', 'connect', '192.168.1.5:80', '--timeout=1s', '--protocol=tcp']
    >>> connect_argv("fd00::5", 53, "UDP", 1.5)[2:]
    ['[fd00::5]:53', '--timeout=1.5s', '--protocol=udp']
    """
    if protocol not in PROBE_PROTOCOLS:
        raise ValueError(f"agnhost connect probes {', '.join(PROBE_PROTOCOLS)}, not {protocol}")
    host = f"[{ip}]" if ipaddress.ip_address(ip).version == 6 else ip
    return ["/agnhost", "connect", f"{host}:{port}", f"--timeout={timeout:g}s", f"--protocol={protocol.lower()}"]


def parse_connect(exit_code: int | None, stderr: str) -> tuple[str, str]:
    """(outcome, detail) from agnhost connect's exit code and stderr.

    >>> parse_connect(0, "")
    ('CONNECTED', '')
    >>> parse_connect(1, "TIMEOUT\\n")
    ('TIMEOUT', '')
    >>> parse_connect(1, "OTHER: dial sctp 10.0.0.1:80: connection refused\\n")
    ('REFUSED', 'dial sctp 10.0.0.1:80: connection refused')
    """
    text = stderr.strip()
    first = text.splitlines()[0].strip() if text else ""
    head, _, rest = first.partition(":")
    rest = rest.strip()
    if exit_code == 0:
        return CONNECTED, ""
    if head in (TIMEOUT, REFUSED, DNS, UNKNOWN):
        return head, rest
    if head == OTHER:
        low = rest.lower()
        # SCTP reports every failure as OTHER; keep the distinction that matters.
        if "connection refused" in low:
            return REFUSED, rest
        if "timeout" in low or "timed out" in low:
            return TIMEOUT, rest
        return OTHER, rest
    # Not agnhost's answer at all: the exec itself failed (pod gone, container not running, ...).
    return ERROR, text or f"exit code {exit_code}"

"""What a bug report about the kind lab needs, gathered read-only: the pins, the tools' and the
container engine's versions, the nodes, every TigeraStatus condition, system pods not ready."""

from __future__ import annotations

from typing import Any

from .calico import OPERATOR_API
from .kube import Kube
from .preflight import container_runtime
from .readiness import pod_waiting
from .runner import Runner
from .versions import Versions

SYSTEM_NAMESPACES = ("kube-system", "tigera-operator", "calico-system", "calico-apiserver")
_DOCKER_INFO_KEYS = ("Server Version", "Cgroup Version", "Cgroup Driver", "Operating System", "Kernel Version",
                     "CPUs", "Total Memory", "ERROR")


def _first_line(runner: Runner, argv: list[str]) -> str:
    result = runner.run(argv, timeout=20)
    if not result.ok:
        return result.message()
    return (result.stdout.strip().splitlines() or ["(no output)"])[0]


def environment(runner: Runner, versions: Versions) -> list[str]:
    """The pins, `kind version`, `kubectl version --client` and the engine's key `info` lines."""
    lines = [f"npkit pins: kind {versions.kind}, node image {versions.node_image}, Calico {versions.calico}, "
             f"agnhost {versions.agnhost_image}"]
    lines += [f"{' '.join(argv)}: {_first_line(runner, argv)}" for argv in
              (["kind", "version"], ["kubectl", "version", "--client"])]
    runtime = container_runtime(runner)
    if runtime:
        info = runner.run([runtime, "info"], timeout=20)
        lines += [f"{runtime} info: {line.strip()}" for line in (info.stdout + info.stderr).splitlines()
                  if line.strip().startswith(_DOCKER_INFO_KEYS)]
    return lines


def _conditions(obj: dict[str, Any]) -> str:
    return ", ".join(f"{c.get('type')}={c.get('status')}" + (f" ({c['message']})" if c.get("message") else "")
                     for c in (obj.get("status") or {}).get("conditions") or ()) or "no conditions yet"


def cluster(kube: Kube) -> list[str]:
    """Nodes with their kubelet and kernel, TigeraStatus conditions, system pods that are not ready."""
    lines = []
    for node in kube.list("v1", "Node"):
        info = (node.get("status") or {}).get("nodeInfo") or {}
        lines.append(f"node {node['metadata']['name']}: kubelet {info.get('kubeletVersion', '?')}, "
                     f"{info.get('osImage', '?')}, kernel {info.get('kernelVersion', '?')}")
    if kube.has_api(OPERATOR_API, "TigeraStatus"):
        lines += [f"TigeraStatus {s['metadata']['name']}: {_conditions(s)}"
                  for s in kube.list(OPERATOR_API, "TigeraStatus")]
    for namespace in SYSTEM_NAMESPACES:
        for pod in kube.list("v1", "Pod", namespace=namespace):
            waiting = pod_waiting(pod)
            if waiting is not None:
                lines.append(f"pod {namespace}/{waiting}")
    return lines

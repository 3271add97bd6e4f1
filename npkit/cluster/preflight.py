"""Is this machine ready for a kind lab? One actionable message per missing piece, per OS."""

from __future__ import annotations

import os
import platform
from dataclasses import dataclass, field

from .runner import Runner
from .versions import Versions, parse_version

HostOS = str  # "linux", "macos", "windows", "wsl"


def host_os() -> HostOS:
    """The learner's system, with WSL2 told apart from plain Linux (its kernel differs)."""
    system = platform.system()
    if system == "Darwin":
        return "macos"
    if system == "Windows":
        return "windows"
    if "microsoft" in platform.release().lower() or os.environ.get("WSL_DISTRO_NAME"):
        return "wsl"
    return "linux"


def _runtime_hint(os_name: HostOS) -> str:
    return {
        "linux": "install Docker Engine (https://docs.docker.com/engine/install/) or Podman, "
                 "then `sudo systemctl start docker` and add yourself to the docker group",
        "macos": "install and start Docker Desktop, or `brew install colima docker && colima start --cpu 4 --memory 8`",
        "windows": "install Docker Desktop with the WSL2 backend and run the labs inside your WSL2 distribution",
        "wsl": "start Docker Desktop and enable WSL integration for this distribution "
               "(Settings → Resources → WSL integration), or install Docker Engine inside WSL2",
    }.get(os_name, "install Docker and start it")


def _kind_hint(os_name: HostOS, version: str) -> str:
    return {
        "linux": f"`go install sigs.k8s.io/kind@{version}`, or download the kind-linux-amd64 binary of "
                 f"release {version} from https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
        "macos": "`brew install kind`",
        "windows": "run the labs in WSL2 and install kind there as on Linux (or `winget install Kubernetes.kind`)",
        "wsl": f"`go install sigs.k8s.io/kind@{version}`, or download the kind-linux-amd64 binary of release {version}",
    }.get(os_name, "see https://kind.sigs.k8s.io/docs/user/quick-start/#installation")


def _kubectl_hint(os_name: HostOS) -> str:
    return {
        "linux": "install kubectl: https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/",
        "macos": "`brew install kubectl`",
        "windows": "install kubectl inside WSL2 as on Linux",
        "wsl": "install kubectl: https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/",
    }.get(os_name, "install kubectl: https://kubernetes.io/docs/tasks/tools/")


@dataclass
class Preflight:
    """`problems` stop the lab; `notes` are worth knowing (versions that differ from the pins)."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def container_runtime(runner: Runner) -> str | None:
    """The runtime kind will use: docker, or podman when KIND_EXPERIMENTAL_PROVIDER says so."""
    if os.environ.get("KIND_EXPERIMENTAL_PROVIDER") == "podman" and runner.which("podman"):
        return "podman"
    return "docker" if runner.which("docker") else ("podman" if runner.which("podman") else None)


def check_runtime(runner: Runner, os_name: HostOS) -> list[str]:
    """Problems with the container runtime; empty when `docker info` (or podman's) answers."""
    runtime = container_runtime(runner)
    if runtime is None:
        return [f"no container runtime (docker or podman) found: {_runtime_hint(os_name)}"]
    info = runner.run([runtime, "info"], timeout=20)
    if not info.ok:
        return [f"`{runtime} info` failed ({info.message()}): the {runtime} engine is not running or not "
                f"reachable; {_runtime_hint(os_name)}"]
    return []


def preflight(runner: Runner, versions: Versions, os_name: HostOS | None = None) -> Preflight:
    """Check the container runtime, kind and kubectl, and their versions."""
    os_name = os_name or host_os()
    result = Preflight(problems=check_runtime(runner, os_name))
    if runner.which("kind") is None:
        result.problems.append(f"kind is not installed: {_kind_hint(os_name, versions.kind)}")
    else:
        out = runner.run(["kind", "version"], timeout=20)
        try:
            found = parse_version(out.stdout)
        except ValueError:
            result.problems.append(f"`kind version` gave no version ({out.message()})")
        else:
            shown = "v" + ".".join(map(str, found))
            if found < parse_version(versions.kind_min):
                result.problems.append(
                    f"kind {shown} is too old: kindnet enforces NetworkPolicy only from {versions.kind_min}, "
                    f"and the labs are pinned to {versions.kind}; {_kind_hint(os_name, versions.kind)}")
            elif found[:2] != parse_version(versions.kind)[:2]:
                result.notes.append(f"kind {shown} differs from the pinned {versions.kind}; it should work, "
                                    "but the labs were written against the pinned version")
    if runner.which("kubectl") is None:
        result.problems.append(f"kubectl is not installed: {_kubectl_hint(os_name)}")
    else:
        out = runner.run(["kubectl", "version", "--client"], timeout=20)
        try:
            found = parse_version(out.stdout)
        except ValueError:
            result.notes.append(f"`kubectl version --client` gave no version ({out.message()})")
        else:
            if found < parse_version(versions.kubectl_min):
                result.notes.append(f"kubectl v{'.'.join(map(str, found))} is older than {versions.kubectl_min}; "
                                    "kubectl should be within one minor version of the cluster")
    if os_name == "wsl":
        result.notes.append("WSL2: kindnet's policy engine needs nfqueue and nft conntrack support in the WSL "
                            "kernel and fails open without them (kind issues #3705, #3789); the lab's enforcement "
                            "canary catches this. The Calico cluster (--cni calico) does not depend on it.")
    return result

"""Is this machine ready for a kind lab? One actionable message per missing piece, per OS."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

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


def read_sysctl(name: str) -> str | None:
    """A kernel setting of this machine, e.g. fs.inotify.max_user_watches (None when unreadable)."""
    try:
        return Path("/proc/sys", *name.split(".")).read_text(encoding="ascii").strip()
    except OSError:
        return None


ReadSysctl = Callable[[str], str | None]
# kind's known issues ("Pod errors due to 'too many open files'") recommend these for multi-node clusters.
INOTIFY_RECOMMENDED = {"fs.inotify.max_user_watches": 524288, "fs.inotify.max_user_instances": 512}
_CGROUP = re.compile(r"(?im)^\s*cgroup\s*version:\s*v?(\d)")


def cgroup_version(info: str) -> int | None:
    """The cgroup version `docker info` (`Cgroup Version: 2`) or `podman info` (`cgroupVersion: v2`) reports.

    >>> cgroup_version(" Cgroup Driver: systemd\\n Cgroup Version: 1\\n"), cgroup_version("  cgroupVersion: v2")
    (1, 2)
    """
    m = _CGROUP.search(info)
    return int(m.group(1)) if m else None


def _cgroup_hint(os_name: HostOS) -> str:
    if os_name == "wsl":
        return ("in WSL2, turn cgroup v1 off for the WSL kernel (kind's known issues, \"Failure to Create Cluster on "
                "WSL2\", point to https://github.com/spurin/wsl-cgroupsv2), then `wsl --shutdown`")
    return ("boot the host with cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1; on RHEL, Rocky or "
            "Alma 8: `sudo grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1` and reboot), "
            "or use a newer distribution")


def check_runtime(runner: Runner, os_name: HostOS) -> list[str]:
    """Problems with the container runtime: missing, not answering `docker info` (or podman's), or on
    cgroup v1, where the pinned Kubernetes 1.35 kubelet does not start."""
    runtime = container_runtime(runner)
    if runtime is None:
        return [f"no container runtime (docker or podman) found: {_runtime_hint(os_name)}"]
    info = runner.run([runtime, "info"], timeout=20)
    if not info.ok:
        return [f"`{runtime} info` failed ({info.message()}): the {runtime} engine is not running or not "
                f"reachable; {_runtime_hint(os_name)}"]
    if cgroup_version(info.stdout) == 1:
        return [f"the {runtime} host uses cgroup v1: the labs' node image runs Kubernetes 1.35, whose kubelet "
                "refuses to start on cgroup v1 by default (KEP-5573, kubernetes/kubernetes#134298; kind v0.31 "
                f"does not change that), so the cluster would never become ready. {_cgroup_hint(os_name)}"]
    return []


def check_inotify(os_name: HostOS, read_sysctl: ReadSysctl = read_sysctl) -> list[str]:
    """Notes when this Linux host's inotify limits are below what kind recommends for several nodes."""
    if os_name not in ("linux", "wsl"):
        return []  # Docker Desktop / colima: the engine's VM has its own kernel settings
    low = []
    for name, wanted in INOTIFY_RECOMMENDED.items():
        value = read_sysctl(name)
        if value is not None and value.isdigit() and int(value) < wanted:
            low.append((name, int(value), wanted))
    if not low:
        return []
    now = ", ".join(f"{name}={value}" for name, value, _ in low)
    fix = " && ".join(f"sudo sysctl {name}={wanted}" for name, _, wanted in low)
    return [f"inotify limits are low for a 3-node kind cluster ({now}); pods may fail with \"too many open "
            f"files\". kind's known issues recommend raising them: `{fix}`"]


def _check_kind(runner: Runner, versions: Versions, os_name: HostOS, result: Preflight) -> None:
    if runner.which("kind") is None:
        result.problems.append(f"kind is not installed: {_kind_hint(os_name, versions.kind)}")
        return
    out = runner.run(["kind", "version"], timeout=20)
    try:
        found = parse_version(out.stdout)
    except ValueError:
        result.problems.append(f"`kind version` gave no version ({out.message()})")
        return
    shown, pinned = "v" + ".".join(map(str, found)), parse_version(versions.kind)
    if found < parse_version(versions.kind_min):
        result.problems.append(
            f"kind {shown} is too old: kindnet enforces NetworkPolicy only from {versions.kind_min}, "
            f"and the labs are pinned to {versions.kind}; {_kind_hint(os_name, versions.kind)}")
    elif found[:2] < pinned[:2]:
        result.problems.append(
            f"kind {shown} is older than the pinned {versions.kind}: the labs' node image was built for "
            f"{versions.kind} (kind's release notes list the images made for each release) and an older kind "
            f"may not boot it; {_kind_hint(os_name, versions.kind)}")
    elif found[:2] > pinned[:2]:
        result.notes.append(
            f"kind {shown} is newer than the pinned {versions.kind}; the labs' node image was built for "
            f"{versions.kind}, and kind's release notes for {shown} say which older images it still supports. "
            f"If `npkit lab up` fails, install {versions.kind}")


def _check_kubectl(runner: Runner, versions: Versions, os_name: HostOS, result: Preflight) -> None:
    if runner.which("kubectl") is None:
        result.problems.append(f"kubectl is not installed: {_kubectl_hint(os_name)}")
        return
    out = runner.run(["kubectl", "version", "--client"], timeout=20)
    try:
        found = parse_version(out.stdout)
    except ValueError:
        result.notes.append(f"`kubectl version --client` gave no version ({out.message()})")
        return
    if found < parse_version(versions.kubectl_min):
        result.notes.append(f"kubectl v{'.'.join(map(str, found))} is older than {versions.kubectl_min}; "
                            "kubectl should be within one minor version of the cluster")


def preflight(runner: Runner, versions: Versions, os_name: HostOS | None = None,
              read_sysctl: ReadSysctl = read_sysctl) -> Preflight:
    """Check the container runtime (and its cgroup version), kind and kubectl and their versions,
    and the host's inotify limits."""
    os_name = os_name or host_os()
    result = Preflight(problems=check_runtime(runner, os_name))
    _check_kind(runner, versions, os_name, result)
    _check_kubectl(runner, versions, os_name, result)
    result.notes += check_inotify(os_name, read_sysctl)
    if os_name == "wsl":
        result.notes.append("WSL2: kindnet's policy engine needs nfqueue and nft conntrack support in the WSL "
                            "kernel and fails open without them (kind issues #3705, #3789); the lab's enforcement "
                            "canary catches this. The Calico cluster (--cni calico) does not depend on it.")
    return result

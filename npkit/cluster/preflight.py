"""Is this machine ready for a kind lab? One actionable message per missing piece, per OS."""

from __future__ import annotations

import os
import platform
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..i18n import messages
from .runner import Runner
from .versions import Versions, parse_version

_ = messages("npkit-tools").gettext

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
    if os_name == "linux":
        return _("install Docker Engine (https://docs.docker.com/engine/install/) or Podman, then `sudo systemctl "
                 "start docker` and add yourself to the docker group")
    if os_name == "macos":
        return _("install and start Docker Desktop, or `brew install colima docker && colima start --cpu 4 --memory "
                 "8`")
    if os_name == "windows":
        return _("install Docker Desktop with the WSL2 backend and run the labs inside your WSL2 distribution")
    if os_name == "wsl":
        return _("start Docker Desktop and enable WSL integration for this distribution (Settings → Resources → WSL "
                 "integration), or install Docker Engine inside WSL2")
    return _("install Docker and start it")


def _kind_hint(os_name: HostOS, version: str) -> str:
    if os_name == "linux":
        return _("`go install sigs.k8s.io/kind@{version}`, or download the kind-linux-amd64 binary of release "
                 "{version} from https://kind.sigs.k8s.io/docs/user/quick-start/#installation").format(version=version)
    if os_name == "macos":
        return "`brew install kind`"
    if os_name == "windows":
        return _("run the labs in WSL2 and install kind there as on Linux (or `winget install Kubernetes.kind`)")
    if os_name == "wsl":
        return _("`go install sigs.k8s.io/kind@{version}`, or download the kind-linux-amd64 binary of release "
                 "{version}").format(version=version)
    return _("see https://kind.sigs.k8s.io/docs/user/quick-start/#installation")


def _kubectl_hint(os_name: HostOS) -> str:
    if os_name in ("linux", "wsl"):
        return _("install kubectl: {url}").format(url="https://kubernetes.io/docs/tasks/tools/install-kubectl-linux/")
    if os_name == "macos":
        return "`brew install kubectl`"
    if os_name == "windows":
        return _("install kubectl inside WSL2 as on Linux")
    return _("install kubectl: {url}").format(url="https://kubernetes.io/docs/tasks/tools/")


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
        return _("in WSL2, turn cgroup v1 off for the WSL kernel (kind's known issues, \"Failure to Create Cluster on "
                 "WSL2\", point to https://github.com/spurin/wsl-cgroupsv2), then `wsl --shutdown`")
    return _("boot the host with cgroup v2 (kernel argument systemd.unified_cgroup_hierarchy=1; on RHEL, Rocky or "
             "Alma 8: `sudo grubby --update-kernel=ALL --args=systemd.unified_cgroup_hierarchy=1` and reboot), "
             "or use a newer distribution")


def check_runtime(runner: Runner, os_name: HostOS) -> list[str]:
    """Problems with the container runtime: missing, not answering `docker info` (or podman's), or on
    cgroup v1, where the pinned Kubernetes 1.35 kubelet does not start."""
    runtime = container_runtime(runner)
    if runtime is None:
        return [_("no container runtime (docker or podman) found: {hint}").format(hint=_runtime_hint(os_name))]
    info = runner.run([runtime, "info"], timeout=20)
    if not info.ok:
        return [_("`{runtime} info` failed ({reason}): the {runtime} engine is not running or not reachable; "
                  "{hint}").format(runtime=runtime, reason=info.message(), hint=_runtime_hint(os_name))]
    if cgroup_version(info.stdout) == 1:
        return [_("the {runtime} host uses cgroup v1: the labs' node image runs Kubernetes 1.35, whose kubelet "
                  "refuses to start on cgroup v1 by default (KEP-5573, kubernetes/kubernetes#134298; kind v0.31 "
                  "does not change that), so the cluster would never become ready. {hint}").format(
                      runtime=runtime, hint=_cgroup_hint(os_name))]
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
    now = ", ".join(f"{name}={value}" for name, value, _wanted in low)
    fix = " && ".join(f"sudo sysctl {name}={wanted}" for name, _value, wanted in low)
    return [_("inotify limits are low for a 3-node kind cluster ({now}); pods may fail with \"too many open "
              "files\". kind's known issues recommend raising them: `{fix}`").format(now=now, fix=fix)]


def _check_kind(runner: Runner, versions: Versions, os_name: HostOS, result: Preflight) -> None:
    if runner.which("kind") is None:
        result.problems.append(_("kind is not installed: {hint}").format(hint=_kind_hint(os_name, versions.kind)))
        return
    out = runner.run(["kind", "version"], timeout=20)
    try:
        found = parse_version(out.stdout)
    except ValueError:
        result.problems.append(_("`kind version` gave no version ({output})").format(output=out.message()))
        return
    shown, pinned = "v" + ".".join(map(str, found)), parse_version(versions.kind)
    if found < parse_version(versions.kind_min):
        result.problems.append(_(
            "kind {found} is too old: kindnet enforces NetworkPolicy only from {minimum}, and the labs are pinned to "
            "{pinned}; {hint}").format(found=shown, minimum=versions.kind_min, pinned=versions.kind,
                                       hint=_kind_hint(os_name, versions.kind)))
    elif found[:2] < pinned[:2]:
        result.problems.append(_(
            "kind {found} is older than the pinned {pinned}: the labs' node image was built for {pinned} (kind's "
            "release notes list the images made for each release) and an older kind may not boot it; {hint}").format(
                found=shown, pinned=versions.kind, hint=_kind_hint(os_name, versions.kind)))
    elif found[:2] > pinned[:2]:
        result.notes.append(_(
            "kind {found} is newer than the pinned {pinned}; the labs' node image was built for {pinned}, and kind's "
            "release notes for {found} say which older images it still supports. If `npkit lab up` fails, install "
            "{pinned}").format(found=shown, pinned=versions.kind))


def _check_kubectl(runner: Runner, versions: Versions, os_name: HostOS, result: Preflight) -> None:
    if runner.which("kubectl") is None:
        result.problems.append(_("kubectl is not installed: {hint}").format(hint=_kubectl_hint(os_name)))
        return
    out = runner.run(["kubectl", "version", "--client"], timeout=20)
    try:
        found = parse_version(out.stdout)
    except ValueError:
        result.notes.append(_("`kubectl version --client` gave no version ({output})").format(output=out.message()))
        return
    if found < parse_version(versions.kubectl_min):
        result.notes.append(_("kubectl v{found} is older than {minimum}; kubectl should be within one minor version of "
                              "the cluster").format(found=".".join(map(str, found)), minimum=versions.kubectl_min))


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
        result.notes.append(_("WSL2: kindnet's policy engine needs nfqueue and nft conntrack support in the WSL "
                              "kernel and fails open without them (kind issues #3705, #3789); the lab's enforcement "
                              "canary catches this. The Calico cluster (--cni calico) does not depend on it."))
    return result

"""Running things inside network namespaces: `ip`/`nft` commands and code on a thread.

`setns(2)` moves only the calling thread, so `in_netns` runs a function on a short-lived
thread of its own: the caller (a notebook kernel, the CLI) never changes namespace, even if
the function raises. Sockets and /proc/sys/net files opened there stay bound to that
namespace after the thread ends.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterable
from typing import TypeVar

from ....i18n import messages
from ...backend import LabError

_ = messages("npkit-tools").gettext

NETNS_DIR = "/run/netns"
CLONE_NEWNET = 0x40000000
T = TypeVar("T")

_libc = ctypes.CDLL(None, use_errno=True)


def netns_path(name: str) -> str:
    return os.path.join(NETNS_DIR, name)


def setns(name: str) -> None:
    """Move the calling thread into network namespace `name` (under /run/netns)."""
    fd = os.open(netns_path(name), os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            err = ctypes.get_errno()
            raise OSError(err, f"setns into {name}: {os.strerror(err)}")
    finally:
        os.close(fd)


def in_netns(name: str, fn: Callable[..., T], *args: object) -> T:
    """Run `fn(*args)` on a thread inside namespace `name` and return its result (or raise)."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            setns(name)
            box["value"] = fn(*args)
        except BaseException as e:  # noqa: BLE001 - handed to the caller below
            box["error"] = e

    t = threading.Thread(target=target, name=f"npkit-netns-{name}", daemon=True)
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]


def write_sysctls(netns: str, values: dict[str, str]) -> None:
    """Set per-namespace sysctls (paths under /proc/sys/net) inside `netns`, never on the host."""
    def write() -> None:
        for path, value in values.items():
            with open(os.path.join("/proc/sys/net", path), "w") as f:
                f.write(value)
    in_netns(netns, write)


def run(cmd: list[str], input: str | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    """Run a command; a failure becomes a LabError quoting the command and its error output."""
    try:
        proc = subprocess.run(cmd, input=input, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        raise LabError(_("{command} is not installed (apt-get install {package})").format(
            command=cmd[0], package=_PACKAGES.get(cmd[0], cmd[0]))) from None
    except subprocess.TimeoutExpired:
        raise LabError(_("{command} did not finish within 60 s").format(command=" ".join(cmd[:4]))) from None
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip()
        raise LabError(_("{command} failed: {reason}").format(command=" ".join(cmd[:6]), reason=detail))
    return proc


_PACKAGES = {"ip": "iproute2", "nft": "nftables"}


def ip_batch(lines: Iterable[str], netns: str | None = None) -> None:
    """Run `ip` commands in one process (`ip -batch`), optionally inside `netns`."""
    text = "".join(line + "\n" for line in lines)
    if not text:
        return
    cmd = ["ip"] + (["-n", netns] if netns else []) + ["-batch", "-"]
    run(cmd, input=text)


def nft(netns: str, *args: str, input: str | None = None) -> str:
    """Run nft inside `netns` (through `ip netns exec`) and return its output."""
    cmd = ["ip", "netns", "exec", netns, "nft", *args]
    out: str = run(cmd, input=input).stdout
    return out


def list_netns() -> list[str]:
    """Names of the network namespaces under /run/netns."""
    try:
        return sorted(os.listdir(NETNS_DIR))
    except FileNotFoundError:
        return []


def netns_pids(name: str) -> list[int]:
    """Processes whose network namespace is `name`."""
    proc = run(["ip", "netns", "pids", name], check=False)
    return [int(p) for p in proc.stdout.split() if p.isdigit()]


def delete_netns(name: str) -> None:
    """Delete a namespace (its veths go with it); missing ones are fine."""
    proc = run(["ip", "netns", "delete", name], check=False)
    if proc.returncode != 0 and os.path.exists(netns_path(name)):
        raise LabError(_("could not delete network namespace {name}: {reason}").format(name=name,
                                                                                       reason=proc.stderr.strip()))


def have(command: str) -> bool:
    return shutil.which(command) is not None

"""Can the local backend run here? One line per reason if not (the tests skip with that line).

`local_requirements()` only looks (platform, root, commands); `local_preflight()` also creates
and removes a throwaway namespace, recorded first like every lab resource, so it runs only once
the user has opted in to the local backend.
"""

from __future__ import annotations

import logging
import os
import socket
import sys

from ....i18n import messages
from ...backend import uninterrupted
from . import naming, netns
from .system import have, run

_ = messages("npkit-tools").gettext
log = logging.getLogger("npkit.lab.local")
_cache: list[str] | None = None


def _probe_netns() -> list[str]:
    """Create and remove a throwaway namespace and run nft inside it: can this process do it all?"""
    lab = f"preflight-{os.getpid()}"
    name = naming.node_netns(lab)
    me = os.getpid()
    netns.save_state(netns.LabState(lab, name, owner_pid=me, owner_start=netns.process_start(me), lab_id=lab))
    try:
        proc = run(["ip", "netns", "add", name], check=False)
        if proc.returncode != 0:
            return [_("the local lab backend cannot create network namespaces here ({error}); it needs root on Linux "
                      "with network namespace support (containers: --privileged)").format(error=proc.stderr.strip())]
        proc = run(["ip", "netns", "exec", name, "nft", "list", "ruleset"], check=False)
        if proc.returncode != 0:
            return [_("nftables does not work inside a network namespace here ({error}); the kernel needs "
                      "nf_tables").format(error=proc.stderr.strip())]
        return []
    finally:
        uninterrupted(lambda: netns.remove_lab(lab))


def local_requirements() -> list[str]:
    """What this machine lacks for the local backend, found by looking only (nothing is created)."""
    if not sys.platform.startswith("linux"):
        problems = [_("the local lab backend needs Linux network namespaces; this is {platform} (use the kind "
                      "backend, or predictions)").format(platform=sys.platform)]
    elif os.geteuid() != 0:
        problems = [_("the local lab backend needs root (it creates network namespaces and nftables rules); run as "
                      "root, or use the kind backend, or predictions")]
    elif not have("ip"):
        problems = [_("the local lab backend needs the `ip` command: apt-get install iproute2")]
    elif not have("nft"):
        problems = [_("the local lab backend needs the `nft` command: apt-get install nftables")]
    else:
        problems = []
    return problems


def local_preflight() -> list[str]:
    """One line per reason the local backend cannot run here (cached per process): the requirements,
    then a throwaway namespace with an nftables ruleset really made and removed."""
    global _cache
    if _cache is not None:
        return list(_cache)
    problems = local_requirements() or _probe_netns()
    _cache = problems
    return list(problems)


def sctp_available() -> bool:
    """Whether this kernel speaks SCTP, loading the `sctp` module once if needed (and saying so)."""
    def works() -> bool:
        try:
            socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
            return True
        except OSError:
            return False

    if works():
        return True
    if have("modprobe") and run(["modprobe", "sctp"], check=False).returncode == 0 and works():
        log.warning(_("loaded the kernel module sctp to serve SCTP ports"))
        return True
    return False

"""Starting and stopping the pods' server processes (servers.py), and knowing which still run."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from ....i18n import messages
from ...backend import LabError
from .netns import PodPlace
from .system import netns_path

_ = messages("npkit-tools").gettext

SERVER_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "servers.py")
START_TIMEOUT = 15.0

# on_ready(place, report): report is the server's first line, {"opened": [...], "skipped": [...]}
OnReady = Callable[[PodPlace, dict[str, Any]], None]


class ServerPool:
    """One server process per pod, started in parallel; each exits on its own if we die."""

    def __init__(self, lab: str):
        self.lab = lab
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def running(self, key: str) -> bool:
        proc = self.procs.get(key)
        return proc is not None and proc.poll() is None

    def start(self, places: list[PodPlace], on_ready: OnReady) -> None:
        """Start servers for `places` and wait until each has opened its ports (or raise LabError)."""
        started: dict[str, tuple[PodPlace, subprocess.Popen[bytes]]] = {}
        for place in places:
            argv = [sys.executable, "-I", "-S", SERVER_SCRIPT, "--netns", netns_path(place.netns),
                    "--pod", place.key, "--lab", self.lab]
            argv += [a for port in place.ports for a in ("--port", port)]
            # stdin stays a pipe we hold: when this process ends, the server reads EOF and exits.
            # A session of its own keeps the terminal's Ctrl-C for us (we clean up, then stop them).
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                    start_new_session=True)
            self.procs[place.key] = proc
            started[place.key] = (place, proc)
        sel = selectors.DefaultSelector()
        for key, (_place, proc) in started.items():
            assert proc.stdout is not None and proc.stderr is not None  # both are pipes (above)
            sel.register(proc.stdout, selectors.EVENT_READ, key)
        deadline = time.monotonic() + START_TIMEOUT
        try:
            while sel.get_map():
                left = deadline - time.monotonic()
                if left <= 0:
                    waiting = sorted(k.data for k in sel.get_map().values())
                    raise LabError(_("pod servers did not start within {seconds:g} s: {pods}").format(
                        seconds=START_TIMEOUT, pods=", ".join(waiting)))
                for sk, _events in sel.select(left):
                    place, proc = started[sk.data]
                    assert proc.stdout is not None and proc.stderr is not None
                    line = proc.stdout.readline()
                    sel.unregister(proc.stdout)
                    if not line:
                        err = proc.stderr.read().decode(errors="replace").strip().splitlines()
                        why = err[-1] if err else _("no output")
                        raise LabError(_("the server of pod {pod} failed to start: {error}").format(pod=place.key,
                                                                                                    error=why))
                    place.server_pid = proc.pid
                    on_ready(place, json.loads(line))
        finally:
            sel.close()

    def stop(self, keys: list[str] | None = None) -> None:
        """Kill the servers of `keys` (default: all) and reap them."""
        for key in list(self.procs if keys is None else keys):
            proc = self.procs.pop(key, None)
            if proc is None:
                continue
            if proc.poll() is None:
                proc.kill()
            proc.wait()
            for stream in (proc.stdin, proc.stdout, proc.stderr):
                if stream:
                    stream.close()

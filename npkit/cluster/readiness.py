"""Readiness decisions (pure functions over API objects as dicts) and one polling loop.

Each check returns the names of what is still not ready, with why, so progress can say
what it is waiting for and a timeout can say what never became ready.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errors import NotReady as Timeout  # its old name and home
from ..i18n import messages

_tools = messages("npkit-tools")
_, ngettext, pgettext = _tools.gettext, _tools.ngettext, _tools.pgettext


def _condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    for c in (obj.get("status") or {}).get("conditions") or ():
        if isinstance(c, dict) and c.get("type") == kind:
            return c
    return None


def nodes_waiting(nodes: list[dict[str, Any]]) -> list[str]:
    """Nodes that are not Ready, e.g. `npkit-lab-worker (NotReady: container runtime network not ready)`.

    >>> nodes_waiting([{"metadata": {"name": "n1"}, "status": {"conditions": [{"type": "Ready", "status": "True"}]}}])
    []
    """
    if not nodes:
        return [_("no nodes registered yet")]
    waiting = []
    for n in nodes:
        ready = _condition(n, "Ready")
        if ready is None or ready.get("status") != "True":
            why = (ready or {}).get("message") or (ready or {}).get("reason") or _("no Ready condition yet")
            waiting.append(_("node {name} (NotReady: {why})").format(name=n["metadata"]["name"], why=why))
    return waiting


def tigera_waiting(statuses: list[dict[str, Any]], required: tuple[str, ...] = ("calico", "apiserver")) -> list[str]:
    """TigeraStatus components not yet Available (every reported one must be, as Calico's docs say).

    >>> ok = {"type": "Available", "status": "True"}
    >>> tigera_waiting([{"metadata": {"name": "calico"}, "status": {"conditions": [ok]}}])
    ['apiserver (not reported yet)']
    """
    seen = {s["metadata"]["name"]: s for s in statuses}
    waiting = [_("{name} (not reported yet)").format(name=name) for name in required if name not in seen]
    for name, s in sorted(seen.items()):
        available = _condition(s, "Available")
        if available is None or available.get("status") != "True":
            degraded = _condition(s, "Degraded")
            progressing = _condition(s, "Progressing")
            detail = next((c.get("message") or c.get("reason") for c in (degraded, progressing)
                           if c is not None and c.get("status") == "True" and (c.get("message") or c.get("reason"))),
                          _("not Available"))
            waiting.append(f"{name} ({detail})")
    return waiting


def pod_waiting(pod: dict[str, Any]) -> str | None:
    """Why a pod is not ready yet, or None when it is Ready and has an IP.

    >>> pod_waiting({"metadata": {"name": "web"}, "status": {"phase": "Pending"}})
    'web: Pending'
    """
    name = pod["metadata"]["name"]
    status = pod.get("status") or {}
    for cs in status.get("containerStatuses") or ():
        waiting = (cs.get("state") or {}).get("waiting")
        if waiting and waiting.get("reason") in ("ErrImagePull", "ImagePullBackOff", "CrashLoopBackOff",
                                                  "CreateContainerConfigError", "InvalidImageName",
                                                  "ErrImageNeverPull"):
            return f"{name}: {waiting['reason']} ({waiting.get('message', '').strip() or cs.get('name')})"
    ready = _condition(pod, "Ready")
    if status.get("phase") != "Running" or ready is None or ready.get("status") != "True":
        return f"{name}: {status.get('phase') or 'Pending'}"  # the API's phase
    if not status.get("podIP"):
        return _("{pod}: no IP yet").format(pod=name)
    return None


def pod_failed(reason: str) -> bool:
    """Whether a pod_waiting reason will not fix itself by waiting longer.

    ErrImagePull is not one: kubelet retries pulls (a registry hiccup, a slow first pull), so it
    is waited for like any other state and named if the wait runs out.

    >>> pod_failed("web: InvalidImageName (x)"), pod_failed("web: ErrImagePull (timeout)")
    (True, False)
    """
    return any(k in reason for k in ("InvalidImageName", "CreateContainerConfigError", "ErrImageNeverPull"))


@dataclass
class Clock:
    """Time and sleep, replaceable in tests."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


def wait_until(check: Callable[[], list[str]], what: str, timeout: float, interval: float = 2.0,
               report: Callable[[list[str], float], None] | None = None, clock: Clock | None = None) -> None:
    """Call `check` until it returns nothing; `report(waiting, elapsed)` after each try.

    Raises Timeout naming what was still waiting after `timeout` seconds.
    """
    clock = clock or Clock()
    start = clock.now()
    while True:
        waiting = check()
        elapsed = clock.now() - start
        if report is not None:
            report(waiting, elapsed)
        if not waiting:
            return
        if elapsed >= timeout:
            shown = pgettext("clauses", "; ").join(waiting[:5])
            if len(waiting) > 5:
                shown = ngettext("{shown}; and {n} more", "{shown}; and {n} more", len(waiting) - 5).format(
                    shown=shown, n=len(waiting) - 5)
            raise Timeout(_("{what} not ready after {timeout:g} s: {waiting}").format(what=what, timeout=timeout,
                                                                                     waiting=shown))
        clock.sleep(interval)

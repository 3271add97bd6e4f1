"""Real connections from inside the source pod's namespace, all in flight at once.

One helper thread enters each source namespace in turn and opens that pod's sockets there
(non-blocking connect for TCP, a datagram for UDP); a socket keeps its namespace, so the
caller's thread then waits for all of them together with one selector. A probe therefore
costs about one timeout however many there are.

TCP: handshake completed → CONNECTED, reset → REFUSED (the packet arrived; nothing listens),
nothing back in time → TIMEOUT (a drop). UDP: a reply → CONNECTED, ICMP port unreachable →
REFUSED, silence → TIMEOUT (the datagram is sent twice, so one lost packet is not a drop).
"""

from __future__ import annotations

import errno
import selectors
import socket
import struct
import time
from collections.abc import Callable
from dataclasses import dataclass

from .system import in_netns

IPPROTO_SCTP = getattr(socket, "IPPROTO_SCTP", 132)
_BATCH = 400  # sockets open at once: stays well inside the default limit of 1024 descriptors


@dataclass(frozen=True)
class Attempt:
    """One connection to try: from inside namespace `netns` to `ip:port`."""

    netns: str
    ip: str
    port: int
    protocol: str  # TCP, UDP or SCTP


@dataclass
class Outcome:
    outcome: str  # CONNECTED, REFUSED, TIMEOUT, OTHER, ERROR
    detail: str = ""


def _errno_name(code: int) -> str:
    return errno.errorcode.get(code, str(code))


def _open(attempt: Attempt) -> tuple[socket.socket | None, Outcome | None]:
    """Start one connection; return the socket to wait on, or the outcome when already known."""
    kind = socket.SOCK_DGRAM if attempt.protocol == "UDP" else socket.SOCK_STREAM
    proto = IPPROTO_SCTP if attempt.protocol == "SCTP" else 0
    try:
        s = socket.socket(socket.AF_INET, kind, proto)
    except OSError as e:
        return None, Outcome("ERROR", f"cannot open a {attempt.protocol} socket here: {e.strerror}")
    s.setblocking(False)
    if kind == socket.SOCK_STREAM:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with RST
    code = s.connect_ex((attempt.ip, attempt.port))
    if kind == socket.SOCK_DGRAM and code == 0:
        try:
            s.send(b"npkit probe\n")
        except OSError as e:
            code = e.errno or errno.EIO
    if code in (0, errno.EINPROGRESS):
        return s, (Outcome("CONNECTED", "connected") if code == 0 and kind == socket.SOCK_STREAM else None)
    s.close()
    if code == errno.ECONNREFUSED:
        return None, Outcome("REFUSED", "connection refused")
    return None, Outcome("OTHER", f"connect failed: {_errno_name(code)}")


Opened = tuple[socket.socket | None, "Outcome | None"]


def _open_all(attempts: list[Attempt], order: list[int]) -> dict[int, Opened]:
    """Open sockets for `order` (indexes into attempts), entering each source namespace once."""
    opened: dict[int, Opened] = {}
    by_netns: dict[str, list[int]] = {}
    for i in order:
        by_netns.setdefault(attempts[i].netns, []).append(i)
    for netns, indexes in by_netns.items():
        def open_here(indexes: list[int] = indexes) -> dict[int, Opened]:
            return {i: _open(attempts[i]) for i in indexes}
        opened.update(in_netns(netns, open_here))
    return opened


def _finish(s: socket.socket, protocol: str) -> Outcome | None:
    """The outcome for a socket the selector reported, or None to keep waiting."""
    if protocol == "UDP":
        try:
            s.recv(2048)
            return Outcome("CONNECTED", "reply received")
        except ConnectionRefusedError:
            return Outcome("REFUSED", "ICMP port unreachable")
        except BlockingIOError:
            return None
        except OSError as e:
            return Outcome("OTHER", f"recv failed: {_errno_name(e.errno or 0)}")
    code = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if code == 0:
        return Outcome("CONNECTED", "connected")
    if code == errno.ECONNREFUSED:
        return Outcome("REFUSED", "connection refused")
    return Outcome("OTHER", f"connect failed: {_errno_name(code)}")


def probe_all(attempts: list[Attempt], timeout: float,
              on_done: Callable[[int], None] | None = None) -> list[Outcome]:
    """Try every attempt; outcomes in the same order. `on_done(n)` reports progress."""
    results: list[Outcome | None] = [None] * len(attempts)
    done = 0
    for start in range(0, len(attempts), _BATCH):
        batch = list(range(start, min(start + _BATCH, len(attempts))))
        sockets = _open_all(attempts, batch)
        sel = selectors.DefaultSelector()
        waiting: dict[int, socket.socket] = {}
        for i, (s, outcome) in sockets.items():
            if outcome is not None:
                results[i] = outcome
                if s is not None:
                    s.close()
            else:
                assert s is not None  # _open returns a socket whenever the outcome is still open
                udp = attempts[i].protocol == "UDP"
                sel.register(s, selectors.EVENT_READ if udp else selectors.EVENT_WRITE, i)
                waiting[i] = s
        started = time.monotonic()
        resend_at, deadline = started + timeout / 2, started + timeout
        resent = False
        try:
            while waiting:
                now = time.monotonic()
                if now >= deadline:
                    break
                if not resent and now >= resend_at:
                    resent = True
                    for i, s in waiting.items():
                        if attempts[i].protocol == "UDP":
                            try:
                                s.send(b"npkit probe\n")
                            except OSError:
                                pass
                for key, _ in sel.select((deadline if resent else resend_at) - now):
                    i = key.data
                    outcome = _finish(key.fileobj, attempts[i].protocol)  # type: ignore[arg-type]  # sockets only
                    if outcome is not None:
                        results[i] = outcome
                        sel.unregister(key.fileobj)
                        waiting.pop(i).close()
        finally:
            for i, s in waiting.items():
                results[i] = Outcome("TIMEOUT", f"no answer within {timeout:g} s")
                s.close()
            sel.close()
        done += len(batch)
        if on_done:
            on_done(done)
    return [r if r is not None else Outcome("ERROR", "not probed") for r in results]

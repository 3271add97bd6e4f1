"""The pod's servers: one small process per pod, listening on every declared container port.

The parent starts this file as a script (`python -I -S servers.py ...`, standard library
only, so it starts in milliseconds). It enters the pod's network namespace, opens its
listeners, prints one JSON line saying what it opened, then serves: TCP connections are
accepted and closed, UDP datagrams are answered with the pod's name. It exits when its
standard input reaches end-of-file, which happens when the parent closes the pipe or
dies in any way, so a crashed lab never leaves servers behind.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import selectors
import socket
import sys

CLONE_NEWNET = 0x40000000
IPPROTO_SCTP = getattr(socket, "IPPROTO_SCTP", 132)


def enter(netns_path: str) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    fd = os.open(netns_path, os.O_RDONLY)
    if libc.setns(fd, CLONE_NEWNET) != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"setns {netns_path}: {os.strerror(err)}")
    os.close(fd)


def listen(protocol: str, port: int) -> socket.socket:
    if protocol == "UDP":
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    elif protocol == "TCP":
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    else:
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, IPPROTO_SCTP)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", port))
    if protocol != "UDP":
        s.listen(1024)
    s.setblocking(False)
    return s


def serve(sockets: dict[socket.socket, str], reply: bytes) -> None:
    sel = selectors.DefaultSelector()
    for s, protocol in sockets.items():
        sel.register(s, selectors.EVENT_READ, protocol)
    sel.register(sys.stdin.buffer, selectors.EVENT_READ, "parent")
    while True:
        for key, _ in sel.select():
            if key.data == "parent":
                if not os.read(sys.stdin.fileno(), 4096):
                    return  # the lab closed our pipe or died: stop
                continue
            listener = key.fileobj
            assert isinstance(listener, socket.socket)  # only sockets and stdin are registered
            try:
                if key.data == "UDP":
                    _, peer = listener.recvfrom(2048)
                    listener.sendto(reply, peer)
                else:
                    conn, _ = listener.accept()
                    try:
                        conn.sendall(reply)
                    except OSError:
                        pass
                    conn.close()
            except (BlockingIOError, ConnectionError):
                continue


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description="npkit local lab: a pod's servers")
    p.add_argument("--netns", required=True)
    p.add_argument("--pod", required=True)
    p.add_argument("--lab", required=True)  # lets cleanup recognise the process
    p.add_argument("--port", action="append", default=[], metavar="PROTOCOL/PORT")
    args = p.parse_args(argv)
    enter(args.netns)
    sockets: dict[socket.socket, str] = {}
    opened, skipped = [], []
    for spec in args.port:
        protocol, _, port = spec.partition("/")
        try:
            sockets[listen(protocol, int(port))] = protocol
            opened.append(spec)
        except OSError as e:
            skipped.append({"port": spec, "error": e.strerror or str(e)})
    print(json.dumps({"pod": args.pod, "pid": os.getpid(), "opened": opened, "skipped": skipped}), flush=True)
    try:
        serve(sockets, f"{args.pod}\n".encode())
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())

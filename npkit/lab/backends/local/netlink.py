"""Two small netfilter netlink clients: flush conntrack, and read packets logged to an NFLOG group.

Both talk to the kernel directly (no `conntrack` or `ulogd` needed) and must be created
inside the node namespace (see `system.in_netns`); a netlink socket keeps the namespace it
was created in.
"""

from __future__ import annotations

import errno
import ipaddress
import os
import socket
import struct
from collections.abc import Iterator
from dataclasses import dataclass

NETLINK_NETFILTER = 12
NLM_F_REQUEST, NLM_F_ACK = 0x1, 0x4
NLMSG_ERROR = 2
NFNL_SUBSYS_CTNETLINK, NFNL_SUBSYS_ULOG = 1, 4
IPCTNL_MSG_CT_DELETE = 2
NFULNL_MSG_PACKET, NFULNL_MSG_CONFIG = 0, 1
NFULA_CFG_CMD, NFULA_CFG_MODE, NFULA_CFG_TIMEOUT, NFULA_CFG_QTHRESH = 1, 2, 3, 4
NFULNL_CFG_CMD_BIND = 1
NFULNL_COPY_PACKET = 2
NFULA_PAYLOAD, NFULA_PREFIX = 9, 10
PROTOCOL_NAMES = {1: "ICMP", 6: "TCP", 17: "UDP", 132: "SCTP"}


def _attr(kind: int, payload: bytes) -> bytes:
    data = struct.pack("=HH", 4 + len(payload), kind) + payload
    return data + b"\0" * (-len(data) % 4)


def _message(msg_type: int, family: int, res_id: int, payload: bytes = b"", seq: int = 1) -> bytes:
    body = struct.pack("!BBH", family, 0, res_id) + payload  # nfgenmsg: family, version 0, res_id (big endian)
    return struct.pack("=IHHII", 16 + len(body), msg_type, NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body


def _messages(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(type, body) for each netlink message in `data`."""
    offset = 0
    while offset + 16 <= len(data):
        length, msg_type, _, _, _ = struct.unpack_from("=IHHII", data, offset)
        if length < 16:
            break
        yield msg_type, data[offset + 16: offset + length]
        offset += (length + 3) & ~3


def _attributes(body: bytes) -> dict[int, bytes]:
    out, offset = {}, 4  # skip nfgenmsg
    while offset + 4 <= len(body):
        length, kind = struct.unpack_from("=HH", body, offset)
        if length < 4:
            break
        out[kind & 0x3FFF] = body[offset + 4: offset + length]
        offset += (length + 3) & ~3
    return out


def _request(sock: socket.socket, message: bytes) -> None:
    """Send one request and wait for its acknowledgement; a kernel error becomes OSError."""
    sock.send(message)
    while True:
        for msg_type, body in _messages(sock.recv(65536)):
            if msg_type == NLMSG_ERROR:
                code = -struct.unpack_from("=i", body)[0]
                if code:
                    raise OSError(code, os.strerror(code))
                return


def _socket() -> socket.socket:
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    return sock


def flush_conntrack() -> None:
    """Forget every tracked connection of the current namespace, so new rules see new connections."""
    with _socket() as sock:
        try:
            _request(sock, _message((NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_DELETE, socket.AF_INET, 0))
        except OSError as e:
            if e.errno != errno.ENOENT:  # nothing to flush
                raise


@dataclass(frozen=True)
class LoggedPacket:
    """One packet a Log rule saw: the rule's log prefix and the packet's addresses and ports."""

    prefix: str
    src: str
    dst: str
    protocol: str
    src_port: int | None
    dst_port: int | None

    def __str__(self) -> str:
        ports = f" SPT={self.src_port} DPT={self.dst_port}" if self.dst_port is not None else ""
        return f"{self.prefix}SRC={self.src} DST={self.dst} PROTO={self.protocol}{ports}"


def parse_ipv4(prefix: str, packet: bytes) -> LoggedPacket | None:
    """The addresses and ports of an IPv4 packet (as NFLOG delivers it)."""
    if len(packet) < 20 or packet[0] >> 4 != 4:
        return None
    ihl = (packet[0] & 0x0F) * 4
    proto = packet[9]
    src, dst = str(ipaddress.IPv4Address(packet[12:16])), str(ipaddress.IPv4Address(packet[16:20]))
    sport = dport = None
    if proto in (6, 17, 132) and len(packet) >= ihl + 4:
        sport, dport = struct.unpack_from("!HH", packet, ihl)
    return LoggedPacket(prefix, src, dst, PROTOCOL_NAMES.get(proto, str(proto)), sport, dport)


class NflogReader:
    """Receives the packets that `log group N` rules send to NFLOG group `group`.

    Create it inside the namespace whose rules log; call `drain()` to collect what arrived.
    """

    def __init__(self, group: int, copy_bytes: int = 96):
        self.group = group
        self.sock = _socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        ulog_config = (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_CONFIG
        _request(self.sock, _message(ulog_config, socket.AF_UNSPEC, group,
                                     _attr(NFULA_CFG_CMD, bytes([NFULNL_CFG_CMD_BIND]))))
        _request(self.sock, _message(ulog_config, socket.AF_UNSPEC, group,
                                     _attr(NFULA_CFG_MODE, struct.pack("!IBB", copy_bytes, NFULNL_COPY_PACKET, 0))
                                     # deliver each packet at once (the kernel batches 100 or waits 1 s)
                                     + _attr(NFULA_CFG_QTHRESH, struct.pack("!I", 1))
                                     + _attr(NFULA_CFG_TIMEOUT, struct.pack("!I", 1)), 2))
        self.sock.setblocking(False)

    def drain(self) -> list[LoggedPacket]:
        """Every packet logged since the last call."""
        out: list[LoggedPacket] = []
        while True:
            try:
                data = self.sock.recv(1 << 16)
            except BlockingIOError:
                return out
            except OSError as e:
                if e.errno == errno.ENOBUFS:  # the kernel dropped some: say nothing, keep the rest
                    continue
                raise
            for msg_type, body in _messages(data):
                if msg_type != (NFNL_SUBSYS_ULOG << 8) | NFULNL_MSG_PACKET:
                    continue
                attrs = _attributes(body)
                prefix = attrs.get(NFULA_PREFIX, b"").rstrip(b"\0").decode(errors="replace")
                packet = parse_ipv4(prefix, attrs.get(NFULA_PAYLOAD, b""))
                if packet is not None:
                    out.append(packet)

    def close(self) -> None:
        self.sock.close()

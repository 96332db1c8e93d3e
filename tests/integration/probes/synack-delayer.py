#!/usr/bin/env python3
"""Delays packets queued by the kernel (iptables -j NFQUEUE) by a fixed time, then accepts them.

Stand-in for `tc qdisc ... netem delay`, which this runner's kernel lacks (CONFIG_NET_SCH_NETEM is
not set): the kernel really holds the SYN-ACK, and releases it when this program says so. Speaks the
nfnetlink_queue protocol over a raw netlink socket (standard library only; Debian has no Python
binding for libnetfilter_queue). Run inside a test network namespace, as root:

    synack-delayer.py QUEUE:DELAY_MS [QUEUE:DELAY_MS...]

Prints "ready" once every queue is bound; exits on SIGTERM or when stdin closes.
"""
import heapq
import os
import select
import signal
import socket
import struct
import sys
import time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS = 1, 2
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NLM_F_REQUEST, NLM_F_ACK = 1, 4
NLMSG_ERROR = 2
NF_ACCEPT = 1


def attribute(kind: int, payload: bytes) -> bytes:
    length = 4 + len(payload)
    return struct.pack("=HH", length, kind) + payload + b"\0" * ((4 - length % 4) % 4)


def message(kind: int, queue: int, attributes: bytes, flags: int = NLM_F_REQUEST) -> bytes:
    body = struct.pack("!BBH", socket.AF_UNSPEC, 0, queue) + attributes
    return struct.pack("=IHHII", 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, flags, 0, 0) + body


def configure(sock: socket.socket, queue: int) -> None:
    for attrs in (
        attribute(NFQA_CFG_CMD, struct.pack("!BxH", NFQNL_CFG_CMD_BIND, socket.AF_INET)),
        attribute(NFQA_CFG_PARAMS, struct.pack("!IB", 0, NFQNL_COPY_META)),
    ):
        sock.send(message(NFQNL_MSG_CONFIG, queue, attrs, NLM_F_REQUEST | NLM_F_ACK))
        data = sock.recv(65536)
        _, kind, _, _, _ = struct.unpack_from("=IHHII", data)
        error = struct.unpack_from("=i", data, 16)[0] if kind == NLMSG_ERROR else 0
        if error != 0:
            raise OSError(-error, f"binding queue {queue}: {os.strerror(-error)}")


def packets(data: bytes):
    """(queue, packet id) of each queued packet in one netlink datagram."""
    offset = 0
    while offset + 16 <= len(data):
        length, kind, _, _, _ = struct.unpack_from("=IHHII", data, offset)
        if kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            queue = struct.unpack_from("!H", data, offset + 18)[0]
            at = offset + 20
            while at + 4 <= offset + length:
                attr_length, attr_kind = struct.unpack_from("=HH", data, at)
                if attr_kind & 0x7FFF == NFQA_PACKET_HDR:
                    yield queue, struct.unpack_from("!I", data, at + 4)[0]
                at += (attr_length + 3) & ~3
        offset += (length + 3) & ~3


def main() -> None:
    delays = {int(q): int(ms) / 1000 for q, ms in (arg.split(":") for arg in sys.argv[1:])}
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    sock.bind((0, 0))
    for queue in delays:
        configure(sock, queue)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    print("ready", flush=True)
    due: list[tuple[float, int, int]] = []
    while True:
        timeout = max(0.0, due[0][0] - time.monotonic()) if due else None
        readable, _, _ = select.select([sock, sys.stdin], [], [], timeout)
        if sys.stdin in readable and not sys.stdin.readline():
            return
        if sock in readable:
            for queue, packet_id in packets(sock.recv(65536)):
                heapq.heappush(due, (time.monotonic() + delays[queue], queue, packet_id))
        while due and due[0][0] <= time.monotonic():
            _, queue, packet_id = heapq.heappop(due)
            sock.send(message(NFQNL_MSG_VERDICT, queue, attribute(NFQA_VERDICT_HDR, struct.pack("!II", NF_ACCEPT, packet_id))))


if __name__ == "__main__":
    main()

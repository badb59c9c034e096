#!/usr/bin/env python3
"""Hostile input against a real roomsd (docs/protocol.md): the node answers every bad input
as the protocol says, keeps its memory bounded, and keeps serving everyone else.

- values nested past the depth limit: `invalid_argument`; nested past the frame's limit (100,000
  levels): a `too_large` error notification and a close, and no stack overflow;
- headers announcing gigabytes (str32, bin32, ext32, array32, map32): refused before anything is
  allocated (the node's RSS does not move);
- a flood of tiny pipelined messages: every one answered, while another connection is served;
- thousands of connections opened and dropped in odd states: all released, the node serves on;
- half-closed connections: answers still delivered, then the close; a partial message at the
  end gets nothing.
Bounded: the whole file runs in well under a minute on loopback.
"""
import argparse
import os
import socket
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402
from wire_client import Checks, WireClient, is_sanitized, request, rss_kib  # noqa: E402

check = Checks()


def error_notification(messages):
    """The code of the single `error` notification in `messages`, or None."""
    notes = [m for m in messages if m[0] == 2 and m[1] == "error"]
    return notes[0][2][0]["code"] if len(notes) == 1 else None


def nested(depth):
    value = {"leaf": 1}
    for _ in range(depth - 1):
        value = {"x": value}
    return value


def test_nesting(port, pid):
    client = WireClient(port)
    # The room data limit is 64 levels: 64 is accepted, 65 is invalid_argument.
    client.send(request(1, "create", {"user": "a", "data": nested(64)}))
    ok = client.read(1)
    check(len(ok) == 1 and ok[0][2] is None, "data nested 64 levels is accepted")
    client.send(request(2, "create", {"user": "a", "data": nested(65)}))
    bad = client.read(1)
    check(len(bad) == 1 and bad[0][1] == 2 and bad[0][2]["code"] == "invalid_argument",
          f"data nested 65 levels is invalid_argument: {bad}")
    check(client.call("ping")["pong"], "the connection stays usable after invalid_argument")
    # 100,000 nested arrays inside a request: refused by the scanner, no recursion.
    before = rss_kib(pid)
    deep = WireClient(port)
    deep.send(b"\x94\x00\x03\xa4ping\x91" + b"\x91" * 100_000)
    messages = deep.read_to_end()
    check(deep.closed and error_notification(messages) == "too_large",
          f"100,000 levels: too_large, then closed: {messages}")
    check(rss_kib(pid) - before < 8 * 1024, "memory: 100,000 levels cost nothing")


def test_huge_headers(port, pid):
    before = rss_kib(pid)
    prefix = b"\x94\x00\x07\xa4ping\x91\x81\xa1x"  # [0, 7, "ping", [{"x": <value>}]]
    for name, header in [("str32", b"\xdb\xff\xff\xff\xf0"), ("bin32", b"\xc6\xff\xff\xff\xf0"),
                         ("ext32", b"\xc9\xff\xff\xff\xf0\x01"),
                         ("array32", b"\xdd\xff\xff\xff\xf0"), ("map32", b"\xdf\xff\xff\xff\xf0"),
                         ("top-level array32", None)]:
        client = WireClient(port)
        client.send(b"\xdd\xff\xff\xff\xff" if header is None else prefix + header + b"\x00" * 64)
        messages = client.read_to_end()
        check(client.closed and error_notification(messages) == "too_large",
              f"{name} announcing ~4 GiB: too_large, then closed: {messages}")
    grown = rss_kib(pid) - before
    check(grown < 8 * 1024, f"memory: huge headers allocate nothing (RSS grew {grown} KiB)")


def test_flood(port, pid):
    count = 100_000
    flood = WireClient(port)
    answers = []
    reader = threading.Thread(target=lambda: answers.extend(flood.read(count, 40)))
    reader.start()
    ping = b"".join(request(n, "ping", {}) for n in range(count))
    started = time.monotonic()
    sender = threading.Thread(target=flood.send, args=(ping,))
    sender.start()
    other = WireClient(port)
    latencies = []
    while reader.is_alive() or not latencies:
        t = time.monotonic()
        other.call("ping", deadline_s=5)
        latencies.append(time.monotonic() - t)
    sender.join()
    reader.join()
    elapsed = time.monotonic() - started
    print(f"flood: {len(answers)} pings answered in {elapsed:.1f}s; another connection's "
          f"slowest ping {max(latencies or [0]) * 1000:.0f} ms", flush=True)
    check(len(answers) == count and all(a[2] is None for a in answers),
          f"every one of {count} pipelined pings is answered ({len(answers)})")
    # A gateway decodes a slice of a pipeline at a time and lets its worker serve the others in
    # between: a ping waits a few milliseconds, not for the flood (which takes 0.2 s here,
    # 2 s under AddressSanitizer).
    limit = max(0.1, elapsed / 4)
    check(max(latencies or [0]) < limit,
          f"another connection is served during the flood (each ping within {limit * 1000:.0f} ms)")
    check(rss_kib(pid) < 200 * 1024, f"memory: RSS after the flood stays small ({rss_kib(pid)} KiB)")


def test_connection_churn(port, pid):
    control = WireClient(port)
    # The earlier tests' connections are closed, but the node may not have counted them out
    # yet: once everything is released, only `control` remains.
    baseline = 1
    before = rss_kib(pid)
    for n in range(3000):
        client = WireClient(port)
        kind = n % 3
        if kind == 1:
            client.send(b"\x94\x00\x01\xa4pi")  # half a request
        elif kind == 2:
            client.send(request(1, "create", {"user": f"u{n}"}))  # never reads the answer
        client.close()
    deadline = time.monotonic() + 10
    while control.call("stats")["connections"] > baseline and time.monotonic() < deadline:
        time.sleep(0.05)
    stats = control.call("stats")
    check(stats["connections"] == baseline,
          f"3000 dropped connections are all released: {stats} (expected only this one)")
    grown = rss_kib(pid) - before
    print(f"churn: 3000 connections, RSS grew {grown} KiB", flush=True)
    check(grown < 32 * 1024, f"memory: 3000 dropped connections leave nothing behind ({grown} KiB)")


def test_half_close(port):
    client = WireClient(port)
    room = client.call("create", {"user": "alice"})["room"]
    client.call("subscribe", {"room": room})
    edits = b"".join(request(100 + n, "edit", {"room": room, "user": "alice", "ops": [
        {"op": "incr", "path": "/n", "by": 1}]}) for n in range(20))
    client.send(edits + b"\x94\x00\x63\xa4pi")  # and the first bytes of one more request
    client.sock.shutdown(socket.SHUT_WR)  # the node sees the end of our requests
    messages = client.read_to_end()
    replies = [m for m in messages if m[0] == 1]
    events = [m for m in messages if m[0] == 2 and m[1] == "event"]
    check(client.closed, "a half-closed connection is closed after its answers")
    check(len(replies) == 20 and all(m[2] is None for m in replies),
          f"every complete request of a half-closed connection is answered ({len(replies)})")
    # Events are not answers: the close follows the last answer, so the events of the last
    # changes may not make it; those that do come in order.
    versions = [e[2][0]["version"] for e in events]
    check(versions == list(range(2, 2 + len(versions))), f"its events come in order: {versions}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    args = parser.parse_args()
    check.check_memory = not is_sanitized(args.roomsd)
    with tempfile.TemporaryDirectory() as data_dir:
        node, port = start_node(args.roomsd, data_dir, ["--durability", "none"])
        try:
            for name, test in [("nesting", lambda: test_nesting(port, node.pid)),
                               ("huge headers", lambda: test_huge_headers(port, node.pid)),
                               ("flood", lambda: test_flood(port, node.pid)),
                               ("churn", lambda: test_connection_churn(port, node.pid)),
                               ("half close", lambda: test_half_close(port))]:
                started = time.monotonic()
                test()
                check(node.poll() is None, f"the node survives {name}")
                print(f"{name}: done in {time.monotonic() - started:.1f}s", flush=True)
        finally:
            code = stop_node(node)
        check(code == 0, f"the node stops cleanly after all that (exit {code})")
    print("FAILED" if check.failures else "all hostile input checks passed")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())

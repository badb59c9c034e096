#!/usr/bin/env python3
"""Slow and silent peers against a real roomsd: the node keeps serving the others and its memory
stays bounded (docs/protocol.md; node/README.md, "Slow senders" and backpressure).

- a client sending one byte at a time: closed with an `invalid_argument` error notification once
  a message has taken longer than --message-timeout-ms, while another connection is served;
  a connection idle between complete messages is never closed;
- with tokens: a connection that does not say `hello` in time gets `unauthenticated` and is
  closed;
- twenty subscribers that never read while 12 MB of events go to each: every one gets `lagged`
  with the last version it was sent, the node's RSS stays far below what they were sent, and a
  resubscribe with `since` picks up where the events stopped.
Bounded: about 20 seconds.
"""
import argparse
import os
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402
from wire_client import Checks, WireClient, is_sanitized, request, rss_kib  # noqa: E402

check = Checks()
TIMEOUT_MS = 1500


def test_one_byte_at_a_time(port):
    slow = WireClient(port)
    other = WireClient(port)
    data = request(1, "create", {"user": "slowloris", "data": {"padding": "x" * 40}})
    started = time.monotonic()
    slowest, messages, closed_after = 0.0, [], None
    for byte in data:
        try:
            slow.send(bytes([byte]))
        except OSError:
            break  # closed by the node: what this test waits for
        t = time.monotonic()
        other.call("ping", deadline_s=5)
        slowest = max(slowest, time.monotonic() - t)
        messages = slow.read(1, 0.1)  # one byte every 0.1 s or so
        if messages:
            closed_after = time.monotonic() - started
            break
    messages += slow.read_to_end(5)
    print(f"slow sender: error after {closed_after or 0:.1f}s; other connection's slowest ping "
          f"{slowest * 1000:.0f} ms", flush=True)
    notes = [m for m in messages if m[0] == 2 and m[1] == "error"]
    check(slow.closed and len(notes) == 1 and notes[0][2][0]["code"] == "invalid_argument",
          f"a message trickling in is closed with invalid_argument: {messages}")
    check(closed_after is not None and TIMEOUT_MS / 1000 <= closed_after < 2 * TIMEOUT_MS / 1000 + 1,
          f"... between one and two timeouts after it began ({closed_after}s)")
    check(slowest < 1.0, "another connection is served meanwhile")


def test_idle_between_messages(port):
    client = WireClient(port)
    client.call("ping")
    time.sleep(2 * TIMEOUT_MS / 1000 + 0.5)
    check(client.call("ping")["pong"], "a connection idle between messages stays open")


def test_hello_deadline(roomsd, data_dir):
    node, port = start_node(roomsd, data_dir, ["--durability", "none", "--token", "s3cret",
                                               "--message-timeout-ms", str(TIMEOUT_MS)])
    try:
        silent = WireClient(port)
        good = WireClient(port)
        good.call("hello", {"token": "s3cret"})
        messages = silent.read_to_end(2 * TIMEOUT_MS / 1000 + 3)
        check(silent.closed and len(messages) == 1 and messages[0][1] == "error" and
              messages[0][2][0]["code"] == "unauthenticated",
              f"no hello in time: unauthenticated, then closed: {messages}")
        time.sleep(TIMEOUT_MS / 1000)
        check(good.call("ping")["pong"], "an authenticated idle connection stays open")
    finally:
        stop_node(node)


def never_reading_subscriber(port, room):
    client = WireClient(port, receive_buffer=4096)
    client.call("subscribe", {"room": room})
    return client


def test_subscribers_that_never_read(port, pid):
    editor = WireClient(port)
    room = editor.call("create", {"user": "alice"})["room"]
    subscribers = [never_reading_subscriber(port, room) for _ in range(20)]
    baseline = rss_kib(pid)
    peak = baseline
    blob = "x" * 8000
    window = 64
    edits = 24 * window
    for first in range(0, edits, window):
        batch = b"".join(request(10 + first + n, "edit", {
            "room": room, "user": "alice", "reply": "version",
            "ops": [{"op": "set", "path": "/blob", "value": blob}]}) for n in range(window))
        editor.send(batch)
        answers = editor.read(window, 30)
        check(len(answers) == window and all(a[2] is None for a in answers), "edits succeed")
        peak = max(peak, rss_kib(pid))
    sent_mb = edits * 8000 * len(subscribers) / 1e6
    print(f"never-reading subscribers: {sent_mb:.0f} MB of events addressed to them, node RSS "
          f"{baseline // 1024} MiB before, peak {peak // 1024} MiB", flush=True)
    check(peak - baseline < 64 * 1024, f"memory: the node's RSS stays bounded (grew "
          f"{peak - baseline} KiB for {sent_mb:.0f} MB of events)")
    for sub in subscribers[:3]:
        follow_up(sub, room, edits + 1)


def follow_up(sub, room, current):
    """Reads what the slow subscriber got, then resubscribes from its last version."""
    sub.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1 << 20)
    msgid = sub.send_request("ping")
    last, lagged, pong = 1, None, False
    while not pong:
        messages = sub.read(1, 10)
        check(messages, "the slow subscriber gets everything it was sent, then the pong")
        if not messages:
            return
        m = messages[0]
        if m[0] == 1:
            pong = m[1] == msgid
        elif m[1] == "event":
            check(lagged is None and m[2][0]["version"] == last + 1, "events in order, no gaps")
            last = m[2][0]["version"]
        elif m[1] == "lagged":
            lagged = m[2][0]
    check(lagged == {"room": room, "version": last}, f"lagged names the last version: {lagged}")
    again = sub.call("subscribe", {"room": room, "since": last})
    if again.get("resync"):
        check(again["snapshot"]["version"] == current,
              f"a resync shows the current version {current}: {again['snapshot']['version']}")
    else:
        versions = [e["version"] for e in again["events"]]
        check(versions == list(range(last + 1, current + 1)), "since replays every later event")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    args = parser.parse_args()
    check.check_memory = not is_sanitized(args.roomsd)
    with tempfile.TemporaryDirectory() as data_dir:
        node, port = start_node(args.roomsd, data_dir, [
            "--durability", "none", "--message-timeout-ms", str(TIMEOUT_MS),
            "--max-outbound-bytes", str(256 << 10)])
        try:
            test_one_byte_at_a_time(port)
            test_idle_between_messages(port)
            test_subscribers_that_never_read(port, node.pid)
            check(node.poll() is None, "the node survives")
        finally:
            check(stop_node(node) == 0, "the node stops cleanly")
        test_hello_deadline(args.roomsd, data_dir)
    print("FAILED" if check.failures else "all slow peer checks passed")
    return 1 if check.failures else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Interop: Debian's python3-pynvim generic MessagePack-RPC session, unmodified, against roomsd.

pynvim's tcp_session is a generic client with its own habits: it sends a `nvim_set_client_info`
notification first (method name as bin), and calls without arguments send `[]` as params. This
test starts a real roomsd on a free port, creates a room, subscribes, edits, receives the event
notification, sees an error response, and stops the node with SIGTERM (exit code 0 expected).
Exit code 77 (ctest: skipped) only when python3-pynvim is not installed.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

try:
    from pynvim.msgpack_rpc import tcp_session
except ImportError:
    print("SKIPPED: python3-pynvim is not installed (apt-get install python3-pynvim)")
    sys.exit(77)


def start_node(roomsd, data_dir, deadline_s=20):
    node = subprocess.Popen([roomsd, "--port", "0", "--data-dir", data_dir],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        line = node.stderr.readline()
        if not line:
            break
        match = re.search(r"roomsd listening on 127\.0\.0\.1:(\d+)", line)
        if match:
            return node, int(match.group(1))
    node.kill()
    sys.exit("roomsd did not report its port")


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def exercise(port):
    session = tcp_session("127.0.0.1", port)
    # pynvim's Nvim class installs this; the bare session needs one to report errors.
    session.error_wrapper = lambda error: RuntimeError(error)

    pong = session.request("ping")
    check(pong["pong"] is True, f"ping: {pong}")

    created = session.request("create", {"user": "alice", "data": {"n": 1}})
    room = created["room"]
    check(created["version"] == 1 and created["members"] == ["alice"], f"create: {created}")

    subscribed = session.request("subscribe", {"room": room})
    check(subscribed["version"] == 1 and subscribed["snapshot"] == created,
          f"subscribe: {subscribed}")

    ops = [{"op": "incr", "path": "/n", "by": 2}]
    edited = session.request("edit", {"room": room, "user": "alice", "ops": ops})
    check(edited["data"] == {"n": 3} and edited["version"] == 2, f"edit: {edited}")

    kind, name, args = session.next_message()
    check(kind == "notification" and name in ("event", b"event"), f"message: {kind} {name}")
    check(args == [{"room": room, "version": 2, "type": "edited", "user": "alice", "ops": ops}],
          f"event: {args}")

    try:
        session.request("get", {"room": "00000000-0000-4000-8000-000000000000"})
        raise AssertionError("get of a missing room succeeded")
    except RuntimeError as error:
        wire = error.args[0]
        check(wire["code"] == "not_found", f"error: {wire}")
    session.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    args = parser.parse_args()
    signal.alarm(60)  # a hang fails the test instead of blocking it
    with tempfile.TemporaryDirectory() as work:
        node, port = start_node(args.roomsd, work)
        try:
            exercise(port)
        finally:
            node.send_signal(signal.SIGTERM)
            try:
                code = node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.kill()
                code = None
    check(code == 0, f"roomsd exit code after SIGTERM: {code}")
    print("pynvim interop: 1 passed, 0 failed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Hibernation round trips under load: rooms go idle, stop their actors, come back on the next
call exactly as they were, and subscribers that went away resume with `since`, losing nothing.
"""
import argparse
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_test import Connection  # noqa: E402
from roomsd_process import start_node, stop_node  # noqa: E402

ROOMS = 20
CYCLES = 3
EDITS_PER_CYCLE = 5


def edit_burst(conn, rooms, count):
    """Pipelines `count` increments to every room; returns the versions answered, per room, in
    the order the answers came."""
    pending = {}
    for _ in range(count):
        for room in rooms:
            pending[conn.send("edit", {"room": room, "user": "alice", "reply": "version",
                                       "ops": [{"op": "incr", "path": "/n", "by": 1}]})] = room
    versions = {room: [] for room in rooms}
    while pending:
        message = conn.receive()
        if message[0] != 1 or message[1] not in pending:
            continue
        room = pending.pop(message[1])
        if message[2] is not None:
            raise AssertionError(f"edit failed: {message[2]}")
        versions[room].append(message[3]["version"])
    return versions


def edit_all(conn, rooms, count):
    """Pipelines `count` increments to every room; returns each room's last version."""
    return {room: max(seen) for room, seen in edit_burst(conn, rooms, count).items() if seen}


def wait_until_hibernated(conn, deadline_s=20):
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if conn.call("stats", {})["rooms"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("rooms did not hibernate")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        node, port = start_node(args.roomsd, data_dir, ["--hibernate-after-ms", "100"])
        try:
            editor = Connection(port)
            rooms = [editor.call("create", {"user": "alice"})["room"] for _ in range(ROOMS)]
            seen = {room: 1 for room in rooms}
            for cycle in range(CYCLES):
                watcher = Connection(port)
                for room in rooms:
                    answer = watcher.call("subscribe", {"room": room, "since": seen[room]})
                    versions = [e["version"] for e in answer["events"]]
                    expected = list(range(seen[room] + 1, answer["version"] + 1))
                    if versions != expected:
                        raise AssertionError(f"{room}: replayed {versions}, expected {expected}")
                    seen[room] = answer["version"]
                last = edit_all(editor, rooms, EDITS_PER_CYCLE)
                delivered = 0
                while delivered < ROOMS * EDITS_PER_CYCLE:
                    message = watcher.receive()
                    if message[0] == 2 and message[1] == "event":
                        event = message[2][0]
                        if event["version"] != seen[event["room"]] + 1:
                            raise AssertionError(f"gap: {event} after {seen[event['room']]}")
                        seen[event["room"]] = event["version"]
                        delivered += 1
                watcher.sock.close()
                # The watcher is gone; these edits it must get through `since` next cycle.
                edit_all(editor, rooms, EDITS_PER_CYCLE)
                wait_until_hibernated(editor)
                for room in rooms:
                    snapshot = editor.call("get", {"room": room})
                    if snapshot["data"]["n"] != (cycle + 1) * 2 * EDITS_PER_CYCLE:
                        raise AssertionError(f"{room} woke up as {snapshot}")
                    if snapshot["version"] != last[room] + EDITS_PER_CYCLE:
                        raise AssertionError(f"{room} woke up at version {snapshot['version']}")
                print(f"cycle {cycle + 1}: {ROOMS} rooms hibernated and woke up intact")
        finally:
            code = stop_node(node)
            if code != 0:
                raise AssertionError(f"roomsd exited with {code}")
    print(f"{CYCLES} passed, 0 failed")


if __name__ == "__main__":
    main()

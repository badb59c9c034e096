#!/usr/bin/env python3
"""Parking under load (issue 13, "races stay impossible"): on a node without storage whose idle
rooms park after a few milliseconds, many connections wake the same parked rooms at once, with
calls in flight while rooms park, grants of direct calls revoked and given again, and a parked
room deleted. Nothing is lost or applied twice, each connection sees its own edits of a room in
order, and a subscriber sees every version once.
"""
import argparse
import os
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from crash_test import Connection  # noqa: E402
from hibernation_test import edit_burst as burst  # noqa: E402
from roomsd_process import start_node, stop_node  # noqa: E402

ROOMS = 4
CONNECTIONS = 8
BURSTS = 40
EDITS_PER_BURST = 6
IDLE_MS = 20


def editor(port, rooms, errors, parked_seen):
    try:
        conn = Connection(port)
        for _ in range(BURSTS):
            for room, seen in burst(conn, rooms, EDITS_PER_BURST).items():
                if seen != sorted(seen) or len(set(seen)) != len(seen):
                    raise AssertionError(f"{room}: versions out of order: {seen}")
            # Long enough for the rooms to park between bursts, so the next burst wakes them
            # from every connection at once.
            time.sleep(IDLE_MS * 3 / 1000)
            parked_seen.append(conn.call("stats", {})["rooms_parked"])
    except Exception as error:  # noqa: BLE001 (reported by the main thread)
        errors.append(f"editor: {error!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--node-arg", action="append", default=[],
                        help="one more roomsd option (repeat), e.g. --node-arg=--scheduler=sharing")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        node, port = start_node(args.roomsd, data_dir,
                                ["--durability", "none", "--hibernate-after-ms", str(IDLE_MS),
                                 *args.node_arg])
        try:
            owner = Connection(port)
            rooms = [owner.call("create", {"user": "alice"})["room"] for _ in range(ROOMS)]
            watcher = Connection(port)
            errors, parked_seen = [], []
            threads = [threading.Thread(target=editor, args=(port, rooms, errors, parked_seen))
                       for _ in range(CONNECTIONS)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            if any(thread.is_alive() for thread in threads):
                raise AssertionError("an editor hung")
            if errors:
                raise AssertionError("; ".join(errors))
            if max(parked_seen) == 0:
                raise AssertionError("no room ever parked: the test did not test parking")
            expected = CONNECTIONS * BURSTS * EDITS_PER_BURST
            for room in rooms:
                snapshot = owner.call("get", {"room": room})
                if snapshot["data"].get("n") != expected or snapshot["version"] != expected + 1:
                    raise AssertionError(f"{room}: {snapshot['data']} at version "
                                         f"{snapshot['version']}, expected n={expected}")
            # A subscriber on a room that parks and wakes sees every later version once.
            watched = rooms[0]
            start = watcher.call("subscribe", {"room": watched})["version"]
            for _ in range(3):
                burst(owner, [watched], 5)
                time.sleep(IDLE_MS * 3 / 1000)  # subscribed: it must not park, nor lose events
            versions = []
            while len(versions) < 15:
                message = watcher.receive()
                if message[0] == 2 and message[1] == "event":
                    versions.append(message[2][0]["version"])
            if versions != list(range(start + 1, start + 16)):
                raise AssertionError(f"subscriber saw {versions}")
            # A parked room deleted: gone for everyone, and the others still answer.
            victim = rooms[1]
            time.sleep(IDLE_MS * 5 / 1000)
            owner.call("delete", {"room": victim, "user": "alice"})
            msgid = owner.send("get", {"room": victim})
            while True:
                message = owner.receive()
                if message[0] == 1 and message[1] == msgid:
                    break
            if message[2] is None or message[2]["code"] != "not_found":
                raise AssertionError(f"deleted parked room answered {message}")
            if owner.call("get", {"room": rooms[2]})["data"]["n"] != expected:
                raise AssertionError("another room changed")
            print(f"{CONNECTIONS} connections x {BURSTS} bursts on {ROOMS} rooms parking after "
                  f"{IDLE_MS} ms: {expected} edits per room, in order, none lost; "
                  f"up to {max(parked_seen)} rooms parked at once")
        finally:
            code = stop_node(node)
        if code != 0:
            raise AssertionError(f"roomsd exited with {code}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""kill -9 test of the room index and of expiry deadlines (docs/operations.md, "The room index").

Several rounds. In each, a node in durability `sync` takes a stream of changes that move rooms
in and out of `list` answers (creates with meta, set_meta, joins, leaves, deletes), and creates
rooms that expire 1.5 s after their last change; it is killed with SIGKILL at a random moment.
After the restart:
  - `list` (tag eq, paged) holds exactly the rooms `get` finds, and each entry's owner,
    version, member count and meta equal the room's snapshot: the index never disagrees with
    the rooms, whatever the kill interrupted;
  - every acknowledged change is there (a room acknowledged as created or changed exists with
    that change or the one in flight after it; a deleted one is gone);
  - the rooms whose deadline passed while the node was down are deleted within 2 s of the node
    serving again, and `stats` counts them in rooms_expired.
"""
import argparse
import os
import random
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from roomsd_process import start_node, stop_node  # noqa: E402
from crash_test import Connection  # noqa: E402

TAG = "crash"


class Model:
    """What the node acknowledged, room by room: meta and members, or deleted. A change in
    flight at the kill may or may not have landed: `maybe` holds its outcome."""

    def __init__(self):
        self.rooms = {}      # id -> {"meta": ..., "members": [...]} or None when deleted
        self.maybe = {}      # id -> the outcome of the change in flight (or "created?")
        self.expiring = []   # rooms created with a short idle policy
        self.lock = threading.Lock()


def churn(port, model, rng, stop):
    """One connection, one change at a time (so at most one is in flight at the kill)."""
    try:
        conn = Connection(port)
        n = 0
        while not stop.is_set():
            n += 1
            with model.lock:
                live = [r for r, s in model.rooms.items() if s is not None]
            what = rng.random()
            if not live or what < 0.3:
                meta = {"tag": TAG, "n": n, "mode": rng.choice(["ranked", "casual"])}
                expiring = what < 0.05
                params = {"user": "alice", "meta": meta}
                if expiring:
                    params["expire"] = {"idle_ms": 1500}
                room = conn.call("create", params)["room"]
                with model.lock:
                    model.rooms[room] = {"meta": meta, "members": ["alice"]}
                    if expiring:
                        model.expiring.append(room)
                continue
            room = rng.choice(live)
            with model.lock:
                state = model.rooms[room]
            if what < 0.55:
                meta = dict(state["meta"], mode=rng.choice(["ranked", "casual", "solo"]), n=n)
                with model.lock:
                    model.maybe[room] = {"meta": meta, "members": state["members"]}
                conn.call("set_meta", {"room": room, "user": "alice", "meta": meta})
                with model.lock:
                    model.rooms[room] = {"meta": meta, "members": state["members"]}
            elif what < 0.8:
                user = f"u{rng.randrange(4)}"
                members = list(state["members"])
                method = "leave" if user in members else "join"
                if method == "leave":
                    members.remove(user)
                else:
                    members.append(user)
                with model.lock:
                    model.maybe[room] = {"meta": state["meta"], "members": members}
                conn.call(method, {"room": room, "user": user})
                with model.lock:
                    model.rooms[room] = {"meta": state["meta"], "members": members}
            else:
                with model.lock:
                    model.maybe[room] = None
                conn.call("delete", {"room": room, "user": "alice"})
                with model.lock:
                    model.rooms[room] = None
            with model.lock:
                model.maybe.pop(room, None)
    except (ConnectionError, OSError, RuntimeError):
        return


def listed(conn):
    """Every room `list` finds with the tag, walking pages of 50."""
    entries, after = {}, None
    while True:
        params = {"where": [{"key": "tag", "eq": TAG}], "limit": 50}
        if after:
            params["after"] = after
        page = conn.call("list", params)
        for entry in page["rooms"]:
            if entry["room"] in entries:
                raise AssertionError(f"room {entry['room']} listed twice")
            entries[entry["room"]] = entry
        after = page["next"]
        if after is None:
            return entries


def get(conn, room):
    try:
        return conn.call("get", {"room": room})
    except RuntimeError as error:
        if "not_found" in str(error):
            return None
        raise


def check(conn, model, expired):
    entries = listed(conn)
    for room, state in list(model.rooms.items()):
        if room in expired:
            continue
        snapshot = get(conn, room)
        outcomes = [state, model.maybe.get(room, state)]
        found = None if snapshot is None else {"meta": snapshot.get("meta", {}),
                                               "members": snapshot["members"]}
        if found not in outcomes:
            raise AssertionError(f"room {room}: {found}, acknowledged {state}")
        # What landed is what the next round starts from.
        model.rooms[room] = found
        if snapshot is None:
            if room in entries:
                raise AssertionError(f"deleted room {room} is still listed")
            continue
        entry = entries.get(room)
        want = {"room": room, "owner": snapshot["owner"], "version": snapshot["version"],
                "members": len(snapshot["members"]), "meta": snapshot.get("meta", {})}
        if entry != want:
            raise AssertionError(f"room {room}: listed as {entry}, is {want}")
    unknown = set(entries) - set(model.rooms)
    for room in unknown:  # created, but the kill took the answer
        if get(conn, room) is None:
            raise AssertionError(f"room {room} is listed but does not exist")
    return len(entries)


def wait_expired(conn, rooms, served_at):
    """The expiring rooms whose deadline passed are gone within 2 s of serving."""
    pending = set(rooms)
    while pending:
        pending = {room for room in pending if get(conn, room) is not None}
        waited = time.monotonic() - served_at
        if pending and waited > 2.0:
            raise AssertionError(f"{len(pending)} overdue rooms still there {waited:.1f} s after "
                                 f"the node served again")
        time.sleep(0.05)
    return time.monotonic() - served_at


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--node-arg", action="append", default=[])
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"seed {args.seed}")
    node_args = ["--durability", "sync", *args.node_arg]
    model = Model()
    with tempfile.TemporaryDirectory() as data_dir:
        for round_no in range(args.rounds):
            node, port = start_node(args.roomsd, data_dir, node_args)
            stop = threading.Event()
            worker = threading.Thread(target=churn, args=(port, model, rng, stop))
            worker.start()
            time.sleep(rng.uniform(0.4, 1.5))
            node.send_signal(signal.SIGKILL)
            node.wait()
            stop.set()
            worker.join(timeout=10)
            # Down for longer than the idle policy: the expiring rooms are overdue.
            time.sleep(1.6)
            node, port = start_node(args.roomsd, data_dir, node_args)
            try:
                conn = Connection(port)
                conn.call("ping", {})
                served_at = time.monotonic()
                with model.lock:
                    expiring = [r for r in model.expiring if model.rooms.get(r) is not None
                                or model.maybe.get(r) is not None]
                    # Surely there at the kill: acknowledged, and not deleted by the change
                    # in flight (a delete that landed leaves nothing to expire).
                    certain = [r for r in expiring if model.rooms.get(r) is not None
                               and (r not in model.maybe or model.maybe[r] is not None)]
                took = wait_expired(conn, expiring, served_at)
                expired = set(model.expiring)
                count = check(conn, model, expired)
                stats = conn.call("stats", {})
                if stats["rooms_expired"] < len(certain):
                    raise AssertionError(f"rooms_expired {stats['rooms_expired']} < "
                                         f"{len(certain)}")
                for room in model.expiring:
                    model.rooms[room] = None
                model.maybe.clear()
                print(f"round {round_no + 1}: {count} rooms listed, all agree with get; "
                      f"{len(expiring)} overdue rooms expired within {took:.2f} s: ok")
            finally:
                stop_node(node)
    print(f"{args.rounds} passed, 0 failed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""kill -9 test: nothing acknowledged is lost, and a retried edit is applied exactly once.

Several rounds: a node in durability `sync` takes keyed edits as fast as two pipelining
connections can send them, to several rooms, and is killed with SIGKILL at a random moment.
Every edit sets /log/<n> and increments /count, so after each restart:
  - every acknowledged edit must be present (its /log/<n>),
  - /count must equal the number of /log entries (no edit applied twice),
and after retrying every unacknowledged edit with its key, every edit sent must be present,
still exactly once.
"""
import argparse
import os
import random
import signal
import socket
import sys
import tempfile
import threading
import time

import msgpack

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402
from tls_setup import wrap_client_socket  # noqa: E402

ROOMS = 4
IN_FLIGHT = 16
PAUSE_EVERY = 64


def edit_params(room, n):
    return {"room": room, "user": "alice", "key": f"edit-{n}", "reply": "version",
            "ops": [{"op": "set", "path": f"/log/{n}", "value": n},
                    {"op": "incr", "path": "/count", "by": 1}]}


class Connection:
    """With `ssl_context` (tests/support/tls_setup.py), the connection speaks TLS and checks the
    node's certificate for 127.0.0.1."""

    def __init__(self, port, ssl_context=None):
        self.sock = wrap_client_socket(
            socket.create_connection(("127.0.0.1", port), timeout=10), ssl_context)
        self.unpacker = msgpack.Unpacker(raw=False)
        self.msgid = 0

    def send(self, method, params):
        self.msgid += 1
        self.sock.sendall(msgpack.packb([0, self.msgid, method, [params]], use_bin_type=True))
        return self.msgid

    def receive(self):
        while True:
            try:
                return next(self.unpacker)
            except StopIteration:
                data = self.sock.recv(65536)
                if not data:
                    raise ConnectionError("closed")
                self.unpacker.feed(data)

    def call(self, method, params):
        msgid = self.send(method, params)
        while True:
            message = self.receive()
            if message[0] == 1 and message[1] == msgid:
                if message[2] is not None:
                    raise RuntimeError(f"{method}: {message[2]}")
                return message[3]


def hammer(port, rooms, counter, sent, acked, lock, pause_s=0.0):
    """Sends keyed edits with IN_FLIGHT outstanding until the node goes away. With `pause_s`,
    every PAUSE_EVERY edits it waits for its answers and pauses, so that idle rooms hibernate
    and the next edits wake them."""
    try:
        conn = Connection(port)
        outstanding = {}
        since_pause = 0
        while True:
            if pause_s > 0 and since_pause >= PAUSE_EVERY and not outstanding:
                time.sleep(pause_s)
                since_pause = 0
            while len(outstanding) < IN_FLIGHT and not (pause_s > 0 and since_pause >= PAUSE_EVERY):
                since_pause += 1
                with lock:
                    n = counter[0]
                    counter[0] += 1
                room = rooms[n % len(rooms)]
                sent[n] = room
                outstanding[conn.send("edit", edit_params(room, n))] = n
            message = conn.receive()
            if message[0] == 1 and message[1] in outstanding:
                n = outstanding.pop(message[1])
                if message[2] is None:
                    acked.add(n)
                else:
                    raise RuntimeError(f"edit {n} failed: {message[2]}")
    except (ConnectionError, OSError):
        return


def check_rooms(conn, rooms, must_hold):
    """Every edit in must_hold is present; each room's /count equals its /log entries."""
    present = set()
    for room in rooms:
        data = conn.call("get", {"room": room})["data"]
        log = data.get("log", {})
        if data.get("count", 0) != len(log):
            raise AssertionError(f"room {room}: count {data.get('count')} but {len(log)} edits")
        present.update(int(k) for k in log)
    missing = must_hold - present
    if missing:
        raise AssertionError(f"{len(missing)} acknowledged edits lost, e.g. {sorted(missing)[:5]}")
    return present


def run_round(roomsd, data_dir, rooms, counter, rng, node_args, pause_s):
    node, port = start_node(roomsd, data_dir, ["--durability", "sync", *node_args])
    sent, acked, lock = {}, set(), threading.Lock()
    workers = [threading.Thread(target=hammer,
                                args=(port, rooms, counter, sent, acked, lock, pause_s))
               for _ in range(2)]
    for worker in workers:
        worker.start()
    time.sleep(rng.uniform(0.3, 1.5))
    node.send_signal(signal.SIGKILL)
    node.wait()
    for worker in workers:
        worker.join(timeout=10)
    return sent, acked


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--node-arg", action="append", default=[],
                        help="one more roomsd option (repeat)")
    parser.add_argument("--pause-ms", type=int, default=0,
                        help=f"pause every {PAUSE_EVERY} edits of a connection (rooms go idle)")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    print(f"seed {args.seed}")

    with tempfile.TemporaryDirectory() as data_dir:
        node, port = start_node(args.roomsd, data_dir, ["--durability", "sync"])
        conn = Connection(port)
        rooms = [conn.call("create", {"user": "alice"})["room"] for _ in range(ROOMS)]
        stop_node(node)

        counter, all_sent = [0], {}
        for round_no in range(args.rounds):
            sent, acked = run_round(args.roomsd, data_dir, rooms, counter, rng, args.node_arg,
                                    args.pause_ms / 1000)
            all_sent.update(sent)
            node, port = start_node(args.roomsd, data_dir, ["--durability", "sync"])
            try:
                conn = Connection(port)
                present = check_rooms(conn, rooms, acked)
                unacked = [n for n in sent if n not in acked]
                for n in unacked:
                    conn.call("edit", edit_params(sent[n], n))
                check_rooms(conn, rooms, set(all_sent))
                print(f"round {round_no + 1}: {len(sent)} sent, {len(acked)} acknowledged, "
                      f"{len(present)} present after the kill, {len(unacked)} retried: ok")
            finally:
                stop_node(node)
    print(f"{args.rounds} passed, 0 failed")


if __name__ == "__main__":
    main()

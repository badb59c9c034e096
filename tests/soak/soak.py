#!/usr/bin/env python3
"""Soak: minutes of mixed load on one roomsd (durability sync) with random disconnects, a slow
subscriber and kill -9 restarts; then every acknowledged change must be present, once.

Load: editors send keyed edits (set /slot/<n mod 256> to n, incr /count; 8 in flight each; the
slots keep the rooms' size bounded) and drop their connection at random moments, retrying what
was not answered with the same key; a mixed client creates, joins, reads, fails edits on
purpose, subscribes and deletes; a subscriber with a 4 KiB receive window reads in bursts and
stalls in between, so that it lags, resubscribes with `since` after `lagged` or a restart, and
checks that versions arrive in order without gaps. The node is killed with SIGKILL every 15 to
45 s (--kill-every 30; 0 for never) and restarted on the same data dir.

At the end, on a fresh start from disk, each room's /count must lie between its acknowledged
and its sent edits; after retrying every unanswered edit with its key it must equal its sent
edits exactly (an acknowledged edit lost, or any edit applied twice, breaks that). Reports RSS
over time and errors by code; exits 1 on a lost or doubled edit, a gap, an unexpected error
code, or RSS past --max-rss-mib (default 256: RocksDB alone may hold two 32 MiB memtables and a
32 MiB block cache).
With --tls the node serves TLS (certificates from tools/make-certs.sh) and every client speaks it.
Usage: tests/soak/soak.sh --minutes 5 (see there).
"""
import argparse
import collections
import os
import random
import signal
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402
from tls_setup import client_context, make_certs  # noqa: E402
from wire_client import WireClient, rss_kib  # noqa: E402

ROOMS = 8
EDITORS = 3
IN_FLIGHT = 8
# Failed calls the mixed client provokes on purpose; anything else is unexpected.
EXPECTED_CODES = {"patch_failed", "not_found"}


class Soak:
    def __init__(self, args, data_dir):
        self.args, self.data_dir = args, data_dir
        self.rng = random.Random(args.seed)
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.node, self.port = None, 0
        self.rooms = []
        self.next_n = 0
        self.sent, self.acked = {}, set()
        self.errors = collections.Counter()
        self.counts = collections.Counter()
        self.problems = []
        self.rss = []  # (seconds since start, KiB)
        # --tls: the node's TLS options and what the clients trust (tls_setup.py).
        self.tls_args, self.tls = [], None
        if args.tls:
            certs = make_certs(os.path.join(os.path.dirname(data_dir), "certs"), ["node"])
            self.tls_args = certs.node_args("node")
            self.tls = client_context(certs.ca)

    def connect(self, **options):
        """A connection to the node (over TLS with --tls)."""
        return WireClient(self.port, ssl_context=self.tls, **options)

    def start_node(self, port=0):
        extra = ["--max-outbound-bytes", str(256 << 10)] + self.tls_args
        if port:
            extra += ["--port", str(port)]
        self.node, self.port = start_node(self.args.roomsd, self.data_dir, extra)

    def note(self, what):
        with self.lock:
            self.counts[what] += 1

    def problem(self, what):
        with self.lock:
            self.problems.append(what)
        print(f"PROBLEM: {what}", flush=True)

    def take_n(self):
        with self.lock:
            self.next_n += 1
            return self.next_n

    # -- editors ------------------------------------------------------------------------------

    def edit_params(self, n):
        room = self.rooms[n % ROOMS]
        return {"room": room, "user": "alice", "key": f"edit-{n}", "reply": "version",
                "ops": [{"op": "set", "path": f"/slot/{n % 256}", "value": n},
                        {"op": "incr", "path": "/count", "by": 1}]}

    def editor(self, seed):
        rng, retry = random.Random(seed), []
        while not self.stop.is_set():
            outstanding, conn = {}, None
            try:
                conn = self.connect(timeout_s=5)
                drop_at = time.monotonic() + rng.uniform(1, 8)
                while not self.stop.is_set() and time.monotonic() < drop_at:
                    while len(outstanding) < IN_FLIGHT:
                        n = retry.pop() if retry else self.take_n()
                        with self.lock:
                            self.sent[n] = self.rooms[n % ROOMS]
                        outstanding[conn.send_request("edit", self.edit_params(n))] = n
                    self.editor_answers(conn, outstanding, retry)
                self.note("random disconnects")
            except (OSError, ConnectionError):
                self.note("connections lost")
                time.sleep(0.2)
            finally:
                retry.extend(outstanding.values())
                if conn:
                    conn.close()

    def editor_answers(self, conn, outstanding, retry):
        messages = conn.read(IN_FLIGHT, 5)
        if not messages and conn.closed:
            raise ConnectionError("closed")
        for m in messages:
            n = outstanding.pop(m[1], None) if m[0] == 1 else None
            if n is None:
                continue
            if m[2] is None:
                with self.lock:
                    self.acked.add(n)
            else:
                self.count_error(m[2]["code"], unexpected=True)
                retry.append(n)

    def count_error(self, code, unexpected):
        with self.lock:
            self.errors[code] += 1
        if unexpected:
            self.problem(f"unexpected error {code}")

    # -- the slow subscriber ------------------------------------------------------------------

    def subscriber(self):
        last = {room: None for room in self.rooms}
        while not self.stop.is_set():
            conn = None
            try:
                conn = self.connect(timeout_s=5, receive_buffer=4096)
                pending = {}
                for room in self.rooms:
                    self.resubscribe(conn, room, last, pending)
                while not self.stop.is_set():
                    # Reads for 2 s, then stalls for 12 s: long enough to fill the node's
                    # outbound limit and the socket buffers (up to 4 MiB), so that it lags.
                    reading_until = time.monotonic() + 2
                    while time.monotonic() < reading_until:
                        messages = conn.read(256, 0.2)
                        if not messages and conn.closed:
                            raise ConnectionError("closed")
                        for m in messages:
                            self.on_subscriber_message(conn, m, last, pending)
                    self.stop.wait(12)
            except (OSError, ConnectionError):
                self.note("subscriber reconnects")
                time.sleep(0.2)
            finally:
                if conn:
                    conn.close()

    def resubscribe(self, conn, room, last, pending):
        params = {"room": room} if last[room] is None else {"room": room, "since": last[room]}
        pending[conn.send_request("subscribe", params)] = room

    def on_subscriber_message(self, conn, m, last, pending):
        if m[0] == 1:
            room = pending.pop(m[1])
            if m[2] is not None:
                return self.problem(f"subscribe {room} since {last[room]}: {m[2]}")
            for event in m[3].get("events", []):
                self.on_event(event, last)
            if "events" not in m[3]:
                last[room] = m[3]["version"]
                self.note("subscriber resyncs" if m[3].get("resync") else "subscriptions")
        elif m[1] == "event":
            self.on_event(m[2][0], last)
        elif m[1] == "lagged":
            self.note("subscriber lagged")
            self.resubscribe(conn, m[2][0]["room"], last, pending)

    def on_event(self, event, last):
        room, version = event["room"], event["version"]
        if last[room] is not None and version != last[room] + 1:
            self.problem(f"room {room}: event {version} after {last[room]}")
        last[room] = version
        self.note("events received")

    # -- mixed calls --------------------------------------------------------------------------

    def mixed(self, seed):
        rng = random.Random(seed)
        while not self.stop.is_set():
            conn = None
            try:
                conn = self.connect(timeout_s=5)
                while not self.stop.is_set():
                    self.mixed_round(conn, rng)
            except (OSError, ConnectionError):
                self.note("connections lost")
                time.sleep(0.2)
            except RuntimeError as failure:  # an error response or no answer
                text = str(failure)
                code = next((c for c in EXPECTED_CODES if c in text), None)
                if "no answer" in text:
                    self.note("connections lost")
                    time.sleep(0.2)
                else:
                    self.count_error(code or text, unexpected=code is None)
            finally:
                if conn:
                    conn.close()

    def mixed_round(self, conn, rng):
        room = conn.call("create", {"user": "bob", "data": {"n": rng.randint(0, 9)}})["room"]
        conn.call("join", {"room": room, "user": "carol"})
        conn.call("subscribe", {"room": room})
        conn.call("get", {"room": self.rooms[rng.randrange(ROOMS)]})
        self.expect_error(conn, "edit", {"room": room, "user": "bob",
                                         "ops": [{"op": "remove", "path": "/missing"}]})
        conn.call("leave", {"room": room, "user": "carol"})
        conn.call("delete", {"room": room, "user": "bob"})
        self.expect_error(conn, "get", {"room": room})
        self.note("mixed rounds")

    def expect_error(self, conn, method, params):
        try:
            conn.call(method, params)
            self.problem(f"{method} {params} should have failed")
        except RuntimeError as failure:
            code = next((c for c in EXPECTED_CODES if c in str(failure)), None)
            if code is None:
                raise
            self.count_error(code, unexpected=False)

    # -- the node -----------------------------------------------------------------------------

    def killer(self, started):
        if self.args.kill_every <= 0:
            return
        every = self.args.kill_every
        while not self.stop.wait(self.rng.uniform(every / 2, every * 3 / 2)):
            self.node.send_signal(signal.SIGKILL)
            self.node.wait()
            self.start_node(self.port)
            self.note("kill -9 restarts")
            print(f"{time.monotonic() - started:6.0f}s kill -9, restarted", flush=True)

    def sampler(self, started):
        while not self.stop.wait(5):
            try:
                kib = rss_kib(self.node.pid)
            except (OSError, RuntimeError):
                continue  # between a kill and the restart
            self.rss.append((time.monotonic() - started, kib))
            with self.lock:
                acked, events = len(self.acked), self.counts["events received"]
            print(f"{time.monotonic() - started:6.0f}s rss {kib / 1024:6.1f} MiB, "
                  f"{acked} edits acknowledged, {events} events received", flush=True)

    # -- the end ------------------------------------------------------------------------------

    def verify(self):
        """On a fresh start from disk: acknowledged <= /count <= sent in every room; after
        retrying every unanswered edit with its key, /count == sent. Returns the edits counted."""
        stop_node(self.node)
        self.start_node()
        conn = self.connect()
        sent = collections.Counter(self.sent.values())
        acked = collections.Counter(self.sent[n] for n in self.acked)
        for room, count in self.counts_by_room(conn).items():
            if not acked[room] <= count <= sent[room]:
                self.problem(f"room {room}: /count {count}, but {acked[room]} acknowledged and "
                             f"{sent[room]} sent")
        for n in sorted(set(self.sent) - self.acked):
            conn.call("edit", self.edit_params(n))
        counted = self.counts_by_room(conn)
        for room, count in counted.items():
            if count != sent[room]:
                self.problem(f"room {room}: /count {count} after the retries, {sent[room]} sent")
        stop_node(self.node)
        return sum(counted.values())

    def counts_by_room(self, conn):
        return {room: conn.call("get", {"room": room})["data"].get("count", 0)
                for room in self.rooms}

    def report(self, seconds, present):
        kib = [k for _, k in self.rss]
        print(f"\n== soak summary ({seconds / 60:.1f} min, seed {self.args.seed}) ==")
        print(f"edits sent {len(self.sent)}, acknowledged {len(self.acked)}, counted in the rooms "
              f"at the end {present} (each applied once)")
        for what, count in sorted(self.counts.items()):
            print(f"{what}: {count}")
        print(f"errors by code: {dict(self.errors) or 'none'} (expected: "
              f"{', '.join(sorted(EXPECTED_CODES))}, provoked on purpose)")
        if kib:
            print(f"node RSS: min {min(kib) / 1024:.1f} MiB, max {max(kib) / 1024:.1f} MiB, "
                  f"last {kib[-1] / 1024:.1f} MiB over {len(kib)} samples")
            if max(kib) > self.args.max_rss_mib * 1024:
                self.problem(f"RSS {max(kib) // 1024} MiB past {self.args.max_rss_mib} MiB")
        print("problems: " + ("; ".join(self.problems[:10]) if self.problems else "none"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--max-rss-mib", type=int, default=256)
    parser.add_argument("--kill-every", type=float, default=30,
                        help="mean seconds between kill -9 restarts (0: none)")
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--tls", action="store_true", help="every connection over TLS")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        data_dir = os.path.join(work, "data")
        os.makedirs(data_dir)
        soak = Soak(args, data_dir)
        soak.start_node()
        setup = soak.connect()
        soak.rooms = [setup.call("create", {"user": "alice"})["room"] for _ in range(ROOMS)]
        setup.close()
        started = time.monotonic()
        threads = [threading.Thread(target=soak.editor, args=(args.seed + i,))
                   for i in range(EDITORS)]
        threads += [threading.Thread(target=soak.subscriber),
                    threading.Thread(target=soak.mixed, args=(args.seed + 100,)),
                    threading.Thread(target=soak.killer, args=(started,)),
                    threading.Thread(target=soak.sampler, args=(started,))]
        for thread in threads:
            thread.start()
        soak.stop.wait(args.minutes * 60)
        soak.stop.set()
        for thread in threads:
            thread.join(timeout=30)
        seconds = time.monotonic() - started
        present = soak.verify()
        soak.report(seconds, present)
    return 1 if soak.problems else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Three roomsd nodes on loopback as one cluster (docs/cluster.md), end to end:

1. rooms created through each node answer get, join, edit and subscribe through every other
   node, and a subscriber on one node sees every version of a room held on another, in order;
2. the protocol's end-to-end tests (the integration cases labelled `cluster`, and the Python
   client of docs/protocol.md) pass against each node;
3. a node frozen with SIGSTOP: calls on its rooms answer `unavailable` within the call
   timeout, heartbeats drop it, it rejoins after SIGCONT;
   kill -9 of one node: calls on its rooms answer `unavailable` within the bound, its
   subscribers get the `unavailable` notification, rooms of the other nodes carry on;
4. the node restarts on its data dir: every acknowledged change is back, subscribers resume
   with `since`, and new calls work through every node.

With --tls, all of it runs with TLS on both ports (mutual TLS between the nodes, and clients that
present certificates, the integration cases and the documented Python client among them), and
then: 5. a node with a certificate from another CA, and a node without cluster TLS, take the
place of a node and never join; the nodes log why, and its rooms stay `unavailable`.
"""
import argparse
import os
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "support"))
sys.path.insert(0, os.path.join(HERE, "..", "durability"))
sys.path.insert(0, os.path.join(HERE, "..", "docs"))
from crash_test import Connection  # noqa: E402
from roomsd_process import start_node, stop_node  # noqa: E402
from run_protocol_example import extract_python_block  # noqa: E402
from tls_setup import client_context, make_certs  # noqa: E402

NAMES = ["node1", "node2", "node3"]
CALL_TIMEOUT_MS = 2000
PEER_TIMEOUT_MS = 3000
# What "within the bound" allows on top of the timeout: scheduling on a loaded 2-core machine.
BOUND_SLACK_S = 0.5
# Under --tls: the certificates (tls_setup.Certs) and what every client presents.
CERTS = None
CLIENT_TLS = None


class Client(Connection):
    """A connection that keeps the notifications it reads while waiting for a response."""

    def __init__(self, port, plaintext=False):
        super().__init__(port, ssl_context=None if plaintext else CLIENT_TLS)
        self.notifications = []

    def request(self, method, params):
        """The (error, result) of one call."""
        msgid = self.send(method, params)
        while True:
            message = self.receive()
            if message[0] == 2:
                self.notifications.append(message)
            elif message[0] == 1 and message[1] == msgid:
                return message[2], message[3]

    def call(self, method, params):
        error, result = self.request(method, params)
        if error is not None:
            raise AssertionError(f"{method} {params}: {error}")
        return result

    def next_notification(self, timeout_s=10):
        self.sock.settimeout(timeout_s)
        try:
            while not self.notifications:
                message = self.receive()
                if message[0] == 2:
                    self.notifications.append(message)
        finally:
            self.sock.settimeout(10)
        return self.notifications.pop(0)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class NodeLog:
    """What a node writes to stderr after its start, read on a thread (so that the pipe never
    fills), with a wait for a line."""

    def __init__(self, process):
        self.lines = []
        self.grew = threading.Condition()
        threading.Thread(target=self._read, args=(process,), daemon=True).start()

    def _read(self, process):
        for line in process.stderr:
            with self.grew:
                self.lines.append(line.rstrip("\n"))
                self.grew.notify_all()

    def wait_for(self, *parts, timeout_s=10):
        """The first line holding every one of `parts`, or None after the timeout."""
        deadline = time.monotonic() + timeout_s
        with self.grew:
            while True:
                for line in self.lines:
                    if all(part in line for part in parts):
                        return line
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.grew.wait(left)


class Cluster:
    def __init__(self, roomsd, work):
        self.roomsd = roomsd
        self.work = work
        self.cluster_ports = [free_port() for _ in NAMES]
        self.nodes = [None] * len(NAMES)
        self.ports = [0] * len(NAMES)
        self.logs = [None] * len(NAMES)

    def args(self, i, cluster_tls=True):
        args = ["--node-name", NAMES[i], "--call-timeout-ms", str(CALL_TIMEOUT_MS),
                "--peer-timeout-ms", str(PEER_TIMEOUT_MS)]
        for name, port in zip(NAMES, self.cluster_ports):
            args += ["--cluster-node", f"{name}@127.0.0.1:{port}"]
        if CERTS is not None and cluster_tls:
            args += CERTS.node_args(NAMES[i], client_ca=True, cluster=True)
        return args

    def start(self, i):
        data_dir = os.path.join(self.work, NAMES[i])
        os.makedirs(data_dir, exist_ok=True)
        self.nodes[i], self.ports[i] = start_node(self.roomsd, data_dir, self.args(i))
        self.logs[i] = NodeLog(self.nodes[i])

    def wait_connected(self, deadline_s=30):
        deadline = time.monotonic() + deadline_s
        for i, port in enumerate(self.ports):
            while True:
                stats = Client(port).call("stats", {})
                if stats["cluster"]["peers_up"] == len(NAMES) - 1:
                    break
                if time.monotonic() > deadline:
                    raise AssertionError(f"{NAMES[i]} sees {stats['cluster']} after {deadline_s} s")
                time.sleep(0.1)

    def stop_all(self):
        for node in self.nodes:
            if node is not None:
                stop_node(node)


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print(f"ok: {what}")


def edit(client, room, user, value):
    return client.call("edit", {"room": room, "user": user, "reply": "version",
                                "ops": [{"op": "set", "path": "/value", "value": value},
                                        {"op": "incr", "path": "/count", "by": 1}]})


def every_node_serves_every_room(cluster):
    """Rooms created through each node, used through every other node. Returns the rooms as
    (index of the creating node, which holds it; id)."""
    clients = [Client(port) for port in cluster.ports]
    rooms = []
    for i, creator in enumerate(clients):
        for _ in range(2):
            rooms.append((i, creator.call("create", {"user": "alice", "data": {"count": 0}})["room"]))
    for creator, room in rooms:
        for j, client in enumerate(clients):
            if j == creator:
                continue
            got = client.call("get", {"room": room})
            check(got["owner"] == "alice" and got["room"] == room,
                  f"room made on {NAMES[creator]} answers get on {NAMES[j]}")
            client.call("join", {"room": room, "user": f"user{j}"})
    # Every node subscribes to every room; edits then come through every node in turn.
    watchers = [Client(port) for port in cluster.ports]
    for creator, room in rooms:
        for watcher in watchers:
            watcher.call("subscribe", {"room": room})
    for creator, room in rooms:
        for j, client in enumerate(clients):
            edit(client, room, f"user{j}" if j != creator else "alice", j)
    for creator, room in rooms:
        final = clients[creator].call("get", {"room": room})
        check(final["data"]["count"] == len(NAMES), f"{room[:8]}: one edit through each node")
    for w, watcher in enumerate(watchers):
        seen = {room: [] for _, room in rooms}
        # Subscribed at version 3 (creation, two joins), then one edit through each node.
        for _ in range(len(rooms) * len(NAMES)):
            note = watcher.next_notification()
            check_event(note, seen)
        for _, room in rooms:
            check(seen[room] == list(range(4, 4 + len(NAMES))),
                  f"watcher on {NAMES[w]} saw every version of {room[:8]} in order")
    return rooms


def check_event(note, seen):
    if note[1] != "event":
        raise AssertionError(f"expected an event, got {note}")
    event = note[2][0]
    seen[event["room"]].append(event["version"])


def client_tls_args():
    """The TLS options of rooms-cli and the documented client, or none."""
    if CERTS is None:
        return []
    cert, key = CERTS.pair("client")
    return ["--tls-ca", CERTS.ca, "--tls-cert", cert, "--tls-key", key]


def run_protocol_tests(cluster, integration_tests, doc):
    env = dict(os.environ, ROOMS_TEST_NODES=",".join(map(str, cluster.ports)))
    if CERTS is not None:
        cert, key = CERTS.pair("client")
        env.update(ROOMS_TLS_CA=CERTS.ca, ROOMS_TLS_CERT=cert, ROOMS_TLS_KEY=key)
    run = subprocess.run([integration_tests, "--run_test=@cluster", "--log_level=test_suite"],
                         env=env, capture_output=True, text=True, timeout=300)
    if run.returncode != 0:
        print(run.stdout[-4000:], run.stderr[-4000:])
    check(run.returncode == 0, "integration cases labelled `cluster` pass across the three nodes")
    code = extract_python_block(doc)
    client = os.path.join(cluster.work, "client.py")
    with open(client, "w", encoding="utf-8") as out:
        out.write(code)
    for i, port in enumerate(cluster.ports):
        run = subprocess.run([sys.executable, client, "--port", str(port), *client_tls_args()],
                             capture_output=True, text=True, timeout=60)
        if run.returncode != 0:
            print(run.stdout[-2000:], run.stderr[-2000:])
        check(run.returncode == 0, f"the documented Python client passes against {NAMES[i]}")


def keep_editing(port, room, acked, stop):
    """Edits `room` through `port` one at a time, recording each acknowledged version."""
    client = Client(port)
    n = 0
    while not stop.is_set():
        n += 1
        error, result = client.request("edit", {"room": room, "user": "alice", "reply": "version",
                                                "key": f"k{n}",
                                                "ops": [{"op": "incr", "path": "/count", "by": 1}]})
        if error is None:
            acked.append(result["version"])
        elif error["code"] == "unavailable":
            time.sleep(0.01)
        else:
            raise AssertionError(f"unexpected error {error}")


def presence_from(cluster, node, room, watcher_node):
    """A user of `node`'s connection present in `room` (held by another node), watched from
    `watcher_node`. Returns (the owning connection, the watcher) once the watcher saw it enter."""
    owner = Client(cluster.ports[node])
    owner.call("join", {"room": room, "user": "dave"})
    watcher = Client(cluster.ports[watcher_node])
    listed = watcher.call("subscribe", {"room": room})["presence"]
    owner.call("presence", {"room": room, "user": "dave", "session": NAMES[node],
                            "data": {"at": NAMES[node]}})
    note = watcher.next_notification()
    while note[1] != "presence":
        note = watcher.next_notification()
    check(note[2][0]["state"] == "entered" and listed == [],
          f"presence set on {NAMES[node]} in a room of another node reaches {NAMES[watcher_node]}")
    return owner, watcher


def check_presence_ends_with_its_node(watcher, lost_node, lost_at, how):
    """The entry of a connection on a lost node leaves with `disconnect` within the peer
    timeout: at once when the node's connections close, else once heartbeats drop it (silence
    for the peer timeout, noticed at the next heartbeat, a quarter of it later at most)."""
    note = watcher.next_notification(timeout_s=PEER_TIMEOUT_MS / 1000 + 3)
    while note[1] != "presence":
        note = watcher.next_notification(timeout_s=PEER_TIMEOUT_MS / 1000 + 3)
    took = time.monotonic() - lost_at
    check(note[2][0]["state"] == "left" and note[2][0]["reason"] == "disconnect"
          and note[2][0]["session"] == NAMES[lost_node]
          and took <= PEER_TIMEOUT_MS * 1.25 / 1000 + BOUND_SLACK_S,
          f"presence set through {NAMES[lost_node]} left with `disconnect` {took * 1000:.0f} ms "
          f"after its node was {how}")


def tagged_rooms(cluster, tag):
    """Three rooms created through each node (so held by it), with meta {"tag": tag}."""
    return {i: sorted(Client(port).call("create", {"user": "alice", "meta": {"tag": tag}})["room"]
                      for _ in range(3))
            for i, port in enumerate(cluster.ports)}


def list_tagged(port, tag):
    """`list` of the tagged rooms through one node: (room ids, unavailable nodes, seconds)."""
    started = time.monotonic()
    answer = Client(port).call("list", {"where": [{"key": "tag", "eq": tag}], "limit": 1000})
    took = time.monotonic() - started
    return [entry["room"] for entry in answer["rooms"]], answer.get("unavailable", []), took


def check_list_without(cluster, by_node, tag, lost, through):
    """`list` through each node of `through` holds the rooms of every node but `lost`, in
    room-id order, names `lost` unavailable, and answers within the call timeout."""
    want = sorted(room for node, ids in by_node.items() if node != lost for room in ids)
    for j in through:
        ids, unavailable, took = list_tagged(cluster.ports[j], tag)
        check(ids == want and unavailable == [NAMES[lost]]
              and took <= CALL_TIMEOUT_MS / 1000 + BOUND_SLACK_S,
              f"list through {NAMES[j]} with {NAMES[lost]} down: {len(ids)} rooms of the other "
              f"nodes, unavailable {unavailable}, after {took * 1000:.0f} ms")


def lose_and_restore_a_node(cluster, rooms):
    victim = 2
    cluster.wait_connected()
    tag = "lose-and-restore"
    by_node = tagged_rooms(cluster, tag)
    everything = sorted(room for ids in by_node.values() for room in ids)
    for j, port in enumerate(cluster.ports):
        ids, unavailable, _ = list_tagged(port, tag)
        check(ids == everything and unavailable == [],
              f"list through {NAMES[j]} answers for the whole cluster ({len(ids)} rooms)")
    lost = [room for creator, room in rooms if creator == victim]
    kept = [room for creator, room in rooms if creator != victim]
    held_on_0 = next(room for creator, room in rooms if creator == 0)
    _presence_owner, presence_watcher = presence_from(cluster, victim, held_on_0, 1)
    watchers = [Client(cluster.ports[w]) for w in (0, 1)]
    for watcher in watchers:
        for room in lost:
            watcher.call("subscribe", {"room": room})
    acked = []
    stop = threading.Event()
    editor = threading.Thread(target=keep_editing, args=(cluster.ports[0], lost[0], acked, stop))
    editor.start()
    time.sleep(0.5)
    cluster.nodes[victim].send_signal(signal.SIGKILL)
    cluster.nodes[victim].wait()
    killed_at = time.monotonic()
    check_presence_ends_with_its_node(presence_watcher, victim, killed_at, "killed")
    time.sleep(0.3)
    stop.set()
    editor.join()
    check(len(acked) > 0, f"{len(acked)} edits acknowledged through node1 before the kill")

    for w in (0, 1):
        told = set()
        # Events sent before the kill come first.
        while told != set(lost):
            note = watchers[w].next_notification(timeout_s=CALL_TIMEOUT_MS / 1000 + 3)
            if note[1] == "unavailable":
                told.add(note[2][0]["room"])
        check(True, f"subscriber on {NAMES[w]} told `unavailable` for each room of the lost node")
    for j in (0, 1):
        client = Client(cluster.ports[j])
        for room in lost:
            started = time.monotonic()
            error, _ = client.request("get", {"room": room})
            took = time.monotonic() - started
            check(error is not None and error["code"] == "unavailable"
                  and took <= CALL_TIMEOUT_MS / 1000 + BOUND_SLACK_S,
                  f"get of a lost room through {NAMES[j]}: unavailable after {took * 1000:.0f} ms")
        for room in kept:
            version = edit(client, room, "alice", "still here")["version"]
            check(version > 0, f"room {room[:8]} of a live node edited through {NAMES[j]}")
    check_list_without(cluster, by_node, tag, victim, (0, 1))
    check(time.monotonic() - killed_at < 30, "the loss was handled in bounded time")

    cluster.start(victim)
    cluster.wait_connected()
    ids, unavailable, _ = list_tagged(cluster.ports[0], tag)
    check(ids == everything and unavailable == [],
          f"after restart, list through {NAMES[0]} holds the restarted node's rooms again")
    for j, port in enumerate(cluster.ports):
        got = Client(port).call("get", {"room": lost[0]})
        check(got["version"] >= max(acked) and got["data"]["count"] >= len(acked),
              f"after restart, {NAMES[j]} sees all {len(acked)} acknowledged edits "
              f"(version {got['version']}, last acknowledged {max(acked)})")
    watcher = watchers[0]
    watcher.notifications.clear()
    since = max(acked)
    resumed = watcher.call("subscribe", {"room": lost[0], "since": since})
    edit(Client(cluster.ports[1]), lost[0], "alice", "after restart")
    note = watcher.next_notification()
    while note[1] != "event" or note[2][0]["room"] != lost[0]:
        note = watcher.next_notification()
    check(note[2][0]["version"] > since,
          f"resubscribed with since={since} on node1 ({len(resumed.get('events', []))} replayed), "
          "new events arrive")
    created = Client(cluster.ports[victim]).call("create", {"user": "bob"})["room"]
    Client(cluster.ports[0]).call("join", {"room": created, "user": "carol"})
    check(True, "the restarted node creates rooms that the others serve")


def wait_stopped(process, timeout_s=5):
    """Waits until every thread of `process` is stopped: kill() only asks for it, and a thread
    running on another core (or a vCPU the host has not scheduled) may still answer a call
    first."""
    deadline = time.monotonic() + timeout_s
    tasks = f"/proc/{process.pid}/task"
    while True:
        states = []
        for task in os.listdir(tasks):
            try:
                with open(f"{tasks}/{task}/stat") as stat:
                    states.append(stat.read().rsplit(")", 1)[1].split()[0])
            except FileNotFoundError:
                pass  # a thread that ended meanwhile
        if states and all(state in ("T", "t") for state in states):
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"node {process.pid} not stopped after {timeout_s} s: {states}")
        time.sleep(0.001)


def freeze_and_thaw_a_node(cluster, rooms):
    """A node that stops answering without closing its connections (SIGSTOP): calls on its
    rooms hit the call timeout, heartbeats drop the peer, and it rejoins after SIGCONT."""
    frozen = 1
    room = next(room for creator, room in rooms if creator == frozen)
    cluster.wait_connected()
    watcher = Client(cluster.ports[0])
    watcher.call("subscribe", {"room": room})
    held_on_2 = next(room for creator, room in rooms if creator == 2)
    _presence_owner, presence_watcher = presence_from(cluster, frozen, held_on_2, 0)
    frozen_rooms = tagged_rooms(cluster, "freeze")
    cluster.nodes[frozen].send_signal(signal.SIGSTOP)
    wait_stopped(cluster.nodes[frozen])
    frozen_at = time.monotonic()
    try:
        client = Client(cluster.ports[0])
        started = time.monotonic()
        error, _ = client.request("get", {"room": room})
        took = time.monotonic() - started
        check(error is not None and error["code"] == "unavailable"
              and took <= CALL_TIMEOUT_MS / 1000 + BOUND_SLACK_S,
              f"get of a frozen node's room: unavailable after {took * 1000:.0f} ms ({error})")
        note = watcher.next_notification(timeout_s=10)
        check(note == [2, "unavailable", [{"room": room}]],
              "its subscriber is told once heartbeats drop the peer")
        other = next(room for creator, room in rooms if creator == 2)
        check(edit(client, other, "alice", "meanwhile")["version"] > 0,
              "rooms of the other nodes keep working meanwhile")
        check_presence_ends_with_its_node(presence_watcher, frozen, frozen_at, "frozen")
        check_list_without(cluster, frozen_rooms, "freeze", frozen, (0, 2))
    finally:
        cluster.nodes[frozen].send_signal(signal.SIGCONT)
    cluster.wait_connected()
    check(Client(cluster.ports[0]).call("get", {"room": room})["room"] == room,
          "after SIGCONT the node rejoins and its rooms answer again")


def outsiders_kept_out(cluster, foreign):
    """Under cluster TLS, a node's place taken by a node with a certificate from another CA,
    then by one without cluster TLS: neither joins, both sides log why, the others go on."""
    victim = 2
    cluster.wait_connected()
    # A certificate of the cluster's own CA that names no node (a backend's) is refused after
    # the handshake, before BASP sees a byte.
    with socket.create_connection(("127.0.0.1", cluster.cluster_ports[0]), timeout=5) as raw:
        try:
            with client_context(CERTS.ca, *CERTS.pair("client")).wrap_socket(
                    raw, server_hostname="127.0.0.1") as tls:
                answered = tls.recv(100)
        except (ssl.SSLError, OSError):
            answered = b""
    line = cluster.logs[0].wait_for("refused", "names none of the cluster's nodes")
    check(answered == b"" and line is not None,
          f"a client certificate of the cluster's CA is refused on the cluster port: {line}")
    held = Client(cluster.ports[victim]).call("create", {"user": "alice"})["room"]
    stop_node(cluster.nodes[victim])
    cluster.nodes[victim] = None
    outsiders = [("a certificate from another CA",
                  foreign.node_args(NAMES[victim], cluster=True)[4:], "unknown ca"),
                 ("no cluster TLS", [], "plaintext")]
    for what, tls_args, reason in outsiders:
        data_dir = os.path.join(cluster.work, f"outsider-{len(tls_args)}")
        os.makedirs(data_dir, exist_ok=True)
        node, port = start_node(cluster.roomsd, data_dir,
                                cluster.args(victim, cluster_tls=False) + tls_args)
        log = NodeLog(node)
        try:
            for i in (0, 1):
                line = cluster.logs[i].wait_for("cluster connection from 127.0.0.1", "refused",
                                                reason)
                check(line is not None, f"{NAMES[i]} refuses a node with {what}: {line}")
            line = log.wait_for(f"cluster peer {NAMES[0]} unreachable")
            check(line is not None, f"the node with {what} says why it cannot join: {line}")
            stats = Client(port, plaintext=True).call("stats", {})
            check(stats["cluster"]["peers_up"] == 0, f"the node with {what} has no peers")
            for i in (0, 1):
                peers = Client(cluster.ports[i]).call("stats", {})["cluster"]["peers_up"]
                check(peers == 1, f"{NAMES[i]} still counts one peer up")
            error, _ = Client(cluster.ports[0]).request("get", {"room": held})
            check(error is not None and error["code"] == "unavailable",
                  f"a room of the replaced node stays unavailable while a node with {what} "
                  "holds its address")
        finally:
            stop_node(node)
    cluster.start(victim)
    cluster.wait_connected()
    check(Client(cluster.ports[0]).call("get", {"room": held})["room"] == held,
          "the node with the cluster's certificate rejoins, and its rooms answer")


def main():
    global CERTS, CLIENT_TLS
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--integration-tests", required=True)
    parser.add_argument("--doc", required=True)
    parser.add_argument("--tls", action="store_true",
                        help="TLS on both ports, clients with certificates, outsiders kept out")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        foreign = None
        if args.tls:
            CERTS = make_certs(os.path.join(work, "certs"), NAMES)
            foreign = make_certs(os.path.join(work, "foreign"), NAMES)
            CLIENT_TLS = client_context(CERTS.ca, *CERTS.pair("client"))
        cluster = Cluster(args.roomsd, work)
        try:
            # Started in reverse order: nodes find peers that come up after them.
            for i in reversed(range(len(NAMES))):
                cluster.start(i)
            cluster.wait_connected()
            rooms = every_node_serves_every_room(cluster)
            run_protocol_tests(cluster, args.integration_tests, args.doc)
            freeze_and_thaw_a_node(cluster, rooms)
            lose_and_restore_a_node(cluster, rooms)
            if foreign is not None:
                outsiders_kept_out(cluster, foreign)
        finally:
            cluster.stop_all()
    print(f"cluster test passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()

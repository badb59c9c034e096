#!/usr/bin/env python3
"""TLS on the client port against a real roomsd (docs/security.md), with certificates made by
tools/make-certs.sh in a temporary directory. One node at a time, `--durability none`:

a. a client trusting the node's CA: ping, create and get work, over TLS 1.2 and 1.3;
b. a plaintext client on the TLS port gets no answer and is closed within seconds; the node
   logs a warning naming the peer, and keeps serving TLS clients;
c. a client that does not trust the node's CA fails the handshake (certificate verification);
d. a TLS 1.1 client is refused (skipped, with a note, if this Python cannot offer TLS 1.1);
e. a node given an expired certificate stops at start, naming the file and saying "expired";
f. a node given a key that does not match its certificate, or a missing file, stops at start
   and names the file;
g. with --tls-ca (mutual TLS): a client with a certificate from that CA is served; clients
   with no certificate, a certificate from another CA, or an expired one are refused;
h. with --cli: rooms-cli with --tls-ca, ROOMS_TLS_CA, and --tls-cert/--tls-key under mutual
   TLS is served; without TLS, or trusting another CA, it fails within its timeout.
Bounded: every socket operation has a timeout; the whole file runs in well under a minute.
"""
import argparse
import os
import re
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402
from tls_setup import client_context, make_certs  # noqa: E402
from wire_client import Checks, WireClient, request  # noqa: E402

failed = Checks()
IO_TIMEOUT_S = 5
START_TIMEOUT_S = 10


def check(condition, what):
    if condition:
        print(f"ok: {what}", flush=True)
    failed(condition, what)


class Node:
    """A running roomsd whose stderr (its log) a thread keeps reading, so the test can look for
    a line and the pipe never fills."""

    def __init__(self, roomsd, data_dir, args):
        self.process, self.port = start_node(roomsd, data_dir, ["--durability", "none", *args],
                                             deadline_s=START_TIMEOUT_S)
        self.lines = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern, timeout_s=3):
        """The first log line matching the regular expression (case-insensitive), or None."""
        deadline = time.monotonic() + timeout_s
        while True:
            for line in list(self.lines):
                if re.search(pattern, line, re.IGNORECASE):
                    return line
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)

    def stop(self):
        code = stop_node(self.process)
        self.reader.join(timeout=IO_TIMEOUT_S)
        return code


def served(port, context):
    """True if a TLS client with this context gets an answer to ping."""
    client = WireClient(port, timeout_s=IO_TIMEOUT_S, ssl_context=context)
    try:
        return bool(client.call("ping", deadline_s=IO_TIMEOUT_S)["pong"])
    finally:
        client.close()


def refused(port, context):
    """How a TLS client with this context was turned away: during the handshake, or (TLS 1.3
    checks the client's certificate after the client's side of the handshake is done) at its
    first read. None if it was served; "hung" if nothing happened within the timeout."""
    try:
        client = WireClient(port, timeout_s=IO_TIMEOUT_S, ssl_context=context)
    except (ssl.SSLError, OSError) as e:
        return f"handshake: {type(e).__name__}: {e}"
    try:
        client.call("ping", deadline_s=IO_TIMEOUT_S)
        return None
    except (ssl.SSLError, OSError) as e:
        return f"first read: {type(e).__name__}: {e}"
    except RuntimeError as e:  # no answer: closed, or nothing at all
        return f"first read: closed ({e})" if client.closed else "hung"
    finally:
        client.close()


def stops_at_start(roomsd, data_dir, args):
    """(exit code, stderr, seconds) of a roomsd expected to stop at start; the exit code is None
    if it was still running after START_TIMEOUT_S (then it is killed)."""
    started = time.monotonic()
    node = subprocess.Popen([roomsd, "--host", "127.0.0.1", "--port", "0", "--data-dir",
                             data_dir, "--durability", "none", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        _, stderr = node.communicate(timeout=START_TIMEOUT_S)
        return node.returncode, stderr, time.monotonic() - started
    except subprocess.TimeoutExpired:
        node.kill()
        _, stderr = node.communicate()
        return None, stderr, time.monotonic() - started


def test_good_client(port, certs):
    client = WireClient(port, timeout_s=IO_TIMEOUT_S, ssl_context=client_context(certs.ca))
    try:
        check(client.sock.version() in ("TLSv1.2", "TLSv1.3"),
              f"a: the connection speaks TLS 1.2 or later ({client.sock.version()})")
        check(client.call("ping")["pong"], "a: ping over TLS")
        room = client.call("create", {"user": "alice", "data": {"cells": {"A1": 5}}})["room"]
        got = client.call("get", {"room": room})
        check(got["data"] == {"cells": {"A1": 5}} and got["owner"] == "alice",
              f"a: create and get over TLS: {got}")
    finally:
        client.close()
    tls12 = client_context(certs.ca, maximum_version=ssl.TLSVersion.TLSv1_2)
    check(served(port, tls12), "a: a TLS 1.2 client is served")


def test_plaintext_client(node, certs):
    plain = socket.create_connection(("127.0.0.1", node.port), timeout=IO_TIMEOUT_S)
    peer = f"127.0.0.1:{plain.getsockname()[1]}"
    started = time.monotonic()
    received, closed = b"", False
    try:
        plain.sendall(request(1, "ping", {}))
        while time.monotonic() - started < IO_TIMEOUT_S:
            data = plain.recv(4096)
            if not data:
                closed = True
                break
            received += data
    except ConnectionResetError:
        closed = True
    except socket.timeout:
        pass
    finally:
        plain.close()
    elapsed = time.monotonic() - started
    # Anything received is a TLS alert (record type 21), never a MessagePack answer.
    check(closed and (not received or received[0] == 0x15),
          f"b: a plaintext ping on the TLS port gets no answer and is closed in {elapsed:.2f} s "
          f"(closed: {closed}, received {received[:16]!r})")
    line = node.wait_for_line(r"(?=.*\bTLS\b)(?=.*plaintext)")
    check(line is not None and "127.0.0.1" in line,
          f"b: the node logs a warning about plaintext on the TLS port naming the peer: {line!r}")
    if line is not None and peer not in line:
        print(f"note: the warning names 127.0.0.1 but not the peer's port ({peer})", flush=True)
    check(served(node.port, client_context(certs.ca)), "b: TLS clients are served afterwards")


def test_untrusted_ca(port, foreign):
    try:
        client = WireClient(port, timeout_s=IO_TIMEOUT_S, ssl_context=client_context(foreign.ca))
        client.close()
        check(False, "c: a client trusting another CA fails the handshake (it succeeded)")
    except ssl.SSLCertVerificationError as e:
        check(True, f"c: a client trusting another CA fails the handshake ({e.verify_message})")
    except (ssl.SSLError, OSError) as e:
        check(False, f"c: a client trusting another CA fails certificate verification, not: {e!r}")


def test_tls_1_1(port, certs):
    if not ssl.HAS_TLSv1_1:
        print("note: d skipped: this Python's OpenSSL has no TLS 1.1", flush=True)
        return
    try:
        context = client_context(certs.ca, maximum_version=ssl.TLSVersion.TLSv1_1)
    except (ssl.SSLError, ValueError) as e:
        print(f"note: d skipped: this Python cannot offer TLS 1.1 ({e})", flush=True)
        return
    try:
        client = WireClient(port, timeout_s=IO_TIMEOUT_S, ssl_context=context)
        version = client.sock.version()
        client.close()
        check(False, f"d: a TLS 1.1 client is refused (it got {version})")
    except ssl.SSLError as e:
        if e.reason in ("NO_PROTOCOLS_AVAILABLE", "NO_CIPHERS_AVAILABLE",
                        "NO_SUITABLE_SIGNATURE_ALGORITHM"):
            print(f"note: d skipped: this Python refused TLS 1.1 by itself ({e})", flush=True)
            return
        check(True, f"d: a TLS 1.1 client is refused ({e.reason or e})")
    except OSError as e:  # closed without an alert
        check(True, f"d: a TLS 1.1 client is refused (connection closed: {e!r})")


def test_stops_at_start(roomsd, data_dir, what, args, names, expect=None):
    code, stderr, seconds = stops_at_start(roomsd, data_dir, args)
    message = " ".join(stderr.split())[-400:]
    check(code is not None and code != 0 and seconds < START_TIMEOUT_S,
          f"{what}: roomsd exits non-zero at start (exit {code} after {seconds:.1f} s)")
    check(any(name in stderr for name in names),
          f"{what}: ... naming {' or '.join(names)}: {message!r}")
    if expect:
        check(expect.lower() in stderr.lower(), f"{what}: ... saying {expect!r}")


def test_cluster_options(roomsd, data_dir, certs, foreign):
    """i: the non-loopback rule, and the cluster's certificates checked at start (with
    --check-config, which loads them as a start does, so no cluster is formed)."""
    remote = ["--node-name", "node", "--cluster-node", "node@127.0.0.1:7520",
              "--cluster-node", "other@10.0.0.12:7520"]
    cluster_tls = ["--cluster-tls-cert", certs.cert("node"), "--cluster-tls-key",
                   certs.key("node"), "--cluster-tls-ca", certs.ca]
    code, stderr, _ = stops_at_start(roomsd, data_dir, remote + ["--check-config"])
    check(code == 2 and "off loopback" in stderr and "--allow-insecure-cluster" in stderr,
          f"i: a cluster with a node off loopback and no cluster TLS is refused (exit {code}): "
          f"{' '.join(stderr.split())[:160]!r}")
    for what, extra in [("with --allow-insecure-cluster", ["--allow-insecure-cluster"]),
                        ("with cluster TLS", cluster_tls)]:
        code, stderr, _ = stops_at_start(roomsd, data_dir, remote + extra + ["--check-config"])
        check(code == 0, f"i: ... but accepted {what} (exit {code}) {stderr.strip()[:160]!r}")
    local = ["--node-name", "node", "--cluster-node", "node@127.0.0.1:7520",
             "--cluster-node", "other@127.0.0.1:7521"]
    code, stderr, _ = stops_at_start(roomsd, data_dir, local + ["--check-config"])
    check(code == 0, f"i: a cluster all on loopback needs no cluster TLS (exit {code})")
    cases = [("a certificate another CA signed", [certs.cert("node"), certs.key("node"),
                                                  foreign.ca], "not signed by the CA"),
             ("a certificate that names another node", [certs.cert("client"),
                                                         certs.key("client"), certs.ca],
              "does not name this node"),
             ("an expired certificate", [certs.cert("expired"), certs.key("expired"), certs.ca],
              "expired")]
    for what, (cert, key, ca), expect in cases:
        args = local + ["--cluster-tls-cert", cert, "--cluster-tls-key", key,
                        "--cluster-tls-ca", ca, "--check-config"]
        code, stderr, _ = stops_at_start(roomsd, data_dir, args)
        check(code not in (0, None) and expect in stderr and cert in stderr,
              f"i: cluster TLS with {what} stops the node, naming the file: "
              f"{' '.join(stderr.split())[:200]!r}")


def test_mutual_tls(port, certs, foreign):
    check(served(port, client_context(certs.ca, *certs.pair("client"))),
          "g: a client with a certificate from the node's --tls-ca is served")
    for what, context in [
            ("no certificate", client_context(certs.ca)),
            ("a certificate from another CA", client_context(certs.ca, *foreign.pair("client"))),
            ("an expired certificate from the right CA",
             client_context(certs.ca, *certs.pair("expired")))]:
        how = refused(port, context)
        check(how is not None and how != "hung", f"g: a client with {what} is refused: {how}")
    check(served(port, client_context(certs.ca, *certs.pair("client"))),
          "g: clients with good certificates are still served")


def run_cli(cli, port, args, env=None, timeout_ms=3000):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("ROOMS_")}
    environment.update(env or {})
    try:
        run = subprocess.run([cli, "--port", str(port), "--timeout", str(timeout_ms), *args],
                             capture_output=True, text=True, env=environment,
                             timeout=timeout_ms / 1000 + 10)
        return run.returncode, (run.stdout + run.stderr).strip()
    except subprocess.TimeoutExpired:
        return None, "did not finish"


def test_cli(cli, port, mutual_port, certs, foreign):
    code, out = run_cli(cli, port, ["--tls-ca", certs.ca, "ping"])
    check(code == 0, f"h: rooms-cli --tls-ca CA ping is served: {out!r}")
    code, out = run_cli(cli, port, ["ping"], env={"ROOMS_TLS_CA": certs.ca})
    check(code == 0, f"h: rooms-cli with ROOMS_TLS_CA is served: {out!r}")
    code, out = run_cli(cli, port, ["ping"])
    check(code not in (0, None), f"h: rooms-cli without TLS fails (exit {code}): {out!r}")
    code, out = run_cli(cli, port, ["--tls-ca", foreign.ca, "ping"])
    check(code not in (0, None), f"h: rooms-cli trusting another CA fails (exit {code}): {out!r}")
    code, out = run_cli(cli, mutual_port, ["--tls-ca", certs.ca, "--tls-cert", certs.cert("client"),
                                           "--tls-key", certs.key("client"), "stats"])
    check(code == 0, f"h: rooms-cli --tls-cert/--tls-key is served under mutual TLS: {out[:80]!r}")
    code, out = run_cli(cli, mutual_port, ["stats"], env={
        "ROOMS_TLS": "1", "ROOMS_TLS_CA": certs.ca, "ROOMS_TLS_CERT": certs.cert("client"),
        "ROOMS_TLS_KEY": certs.key("client")})
    check(code == 0, f"h: ... and with ROOMS_TLS_CERT/ROOMS_TLS_KEY: {out[:80]!r}")
    code, out = run_cli(cli, mutual_port, ["--tls-ca", certs.ca, "stats"])
    check(code not in (0, None), f"h: rooms-cli without a client certificate fails under "
          f"mutual TLS (exit {code}): {out!r}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--make-certs", required=True, help="tools/make-certs.sh")
    parser.add_argument("--cli", help="rooms-cli: also check its TLS options")
    args = parser.parse_args()
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as work:
        certs = make_certs(os.path.join(work, "certs"), ["node"], expired=["expired"],
                           script=args.make_certs)
        foreign = make_certs(os.path.join(work, "foreign"), ["node"], script=args.make_certs)
        data_dirs = [os.path.join(work, f"data{i}") for i in range(2)]
        for data_dir in data_dirs:
            os.makedirs(data_dir)
        data_dir = data_dirs[0]

        node = Node(args.roomsd, data_dir, certs.node_args("node"))
        try:
            test_good_client(node.port, certs)
            test_plaintext_client(node, certs)
            test_untrusted_ca(node.port, foreign)
            test_tls_1_1(node.port, certs)
            check(node.process.poll() is None, "the node survives")
        finally:
            check(node.stop() == 0, "the node stops cleanly")

        test_stops_at_start(args.roomsd, data_dir, "e: expired certificate",
                            certs.node_args("expired"), [certs.cert("expired")], expect="expired")
        test_stops_at_start(args.roomsd, data_dir, "f: key of another certificate",
                            ["--tls-cert", certs.cert("node"), "--tls-key", certs.key("client")],
                            [certs.cert("node"), certs.key("client")])
        for flag, kind in [("--tls-cert", "cert"), ("--tls-key", "key"), ("--tls-ca", "ca")]:
            missing = os.path.join(work, f"missing-{kind}.pem")
            node_args = certs.node_args("node", client_ca=True)
            node_args[node_args.index(flag) + 1] = missing
            test_stops_at_start(args.roomsd, data_dir, f"f: missing {flag} file", node_args,
                                [missing])

        test_cluster_options(args.roomsd, data_dir, certs, foreign)

        node = Node(args.roomsd, data_dir, certs.node_args("node", client_ca=True))
        try:
            test_mutual_tls(node.port, certs, foreign)
            if args.cli:
                plain_tls = Node(args.roomsd, data_dirs[1], certs.node_args("node"))
                try:
                    test_cli(args.cli, plain_tls.port, node.port, certs, foreign)
                finally:
                    check(plain_tls.stop() == 0, "h: the second node stops cleanly")
            check(node.process.poll() is None, "the node survives")
        finally:
            check(node.stop() == 0, "the node stops cleanly")
    print(f"{'FAILED' if failed.failures else 'all TLS checks passed'} "
          f"({time.monotonic() - started:.1f} s)")
    return 1 if failed.failures else 0


if __name__ == "__main__":
    sys.exit(main())

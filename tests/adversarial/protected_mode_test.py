#!/usr/bin/env python3
"""Protected mode (docs/security.md): roomsd refuses to listen on a non-loopback address without
tokens, exit code 2 and a message that says why and what to do; with --token, or with
--allow-unauthenticated-remote (also as a config file key), it starts. Loopback only: the
non-loopback address used is 0.0.0.0 on a free port, and only loopback is ever connected to.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import stop_node  # noqa: E402
from wire_client import WireClient  # noqa: E402

FAILURES = []


def check(condition, what):
    if not condition:
        FAILURES.append(what)
        print(f"FAIL: {what}", flush=True)


def start(roomsd, data_dir, *args):
    """(process, port) once it listens, or (exit code, stderr) if it stops at start."""
    node = subprocess.Popen([roomsd, "--port", "0", "--data-dir", data_dir, "--durability",
                             "none", *args], stderr=subprocess.PIPE, text=True)
    for line in node.stderr:
        match = re.search(r"listening on [^ ]*:(\d+)", line)
        if match:
            return node, int(match.group(1))
    return node.wait(timeout=10), node.stderr.read() if node.stderr else ""


def refused(roomsd, data_dir, *args):
    node = subprocess.run([roomsd, "--port", "0", "--data-dir", data_dir, *args],
                          capture_output=True, text=True, timeout=20)
    return node.returncode, node.stderr


def serves(roomsd, data_dir, *args, hello=None):
    node, port = start(roomsd, data_dir, *args)
    if not isinstance(node, subprocess.Popen):
        check(False, f"roomsd {' '.join(args)} starts (exit {node}: {port})")
        return
    try:
        client = WireClient(port)
        if hello:
            client.call("hello", {"token": hello})
        check(client.call("ping")["pong"], f"roomsd {' '.join(args)} serves")
    finally:
        stop_node(node)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        for host in ["0.0.0.0", "::"]:
            code, stderr = refused(args.roomsd, data_dir, "--host", host)
            check(code == 2, f"--host {host} without tokens exits 2 (got {code})")
            check("protected mode" in stderr and "--allow-unauthenticated-remote" in stderr and
                  "--token" in stderr, f"... and says why and what to do: {stderr!r}")
        serves(args.roomsd, data_dir, "--host", "127.0.0.1")
        serves(args.roomsd, data_dir, "--host", "0.0.0.0", "--token", "t0k3n", hello="t0k3n")
        serves(args.roomsd, data_dir, "--host", "0.0.0.0", "--allow-unauthenticated-remote")
        config = os.path.join(data_dir, "remote.ini")
        with open(config, "w") as f:
            f.write('[rooms]\nhost = "0.0.0.0"\nallow-unauthenticated-remote = true\n')
        serves(args.roomsd, data_dir, "--config", config)
        code, stderr = refused(args.roomsd, data_dir, "--config", config,
                               "--allow-unauthenticated-remote=false")
        check(code == 2 and "protected mode" in stderr, "the command line can turn it back off")
    print("FAILED" if FAILURES else "all protected mode checks passed")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Runs the Python client of docs/protocol.md, exactly as printed there, against a real node.

Starts roomsd on a free loopback port with a fresh data dir, extracts the one ```python block
of the document, runs it with --port, and stops the node whatever happens.
"""
import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time


def extract_python_block(doc_path):
    text = open(doc_path, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    if len(blocks) != 1:
        sys.exit(f"expected exactly one python block in {doc_path}, found {len(blocks)}")
    return blocks[0]


def start_node(roomsd, data_dir, deadline_s=20):
    node = subprocess.Popen([roomsd, "--host", "127.0.0.1", "--port", "0", "--data-dir", data_dir],
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        line = node.stderr.readline()
        if not line:
            break
        match = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
        if match:
            return node, int(match.group(1))
    node.kill()
    sys.exit("roomsd did not report its port")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--doc", required=True)
    args = parser.parse_args()

    code = extract_python_block(args.doc)
    with tempfile.TemporaryDirectory() as work:
        client = os.path.join(work, "client.py")
        with open(client, "w", encoding="utf-8") as out:
            out.write(code)
        node, port = start_node(args.roomsd, os.path.join(work, "data"))
        try:
            run = subprocess.run([sys.executable, client, "--port", str(port)],
                                 capture_output=True, text=True, timeout=30)
        finally:
            node.send_signal(signal.SIGTERM)
            try:
                node.wait(timeout=10)
            except subprocess.TimeoutExpired:
                node.kill()
        print(run.stdout, end="")
        print(run.stderr, end="", file=sys.stderr)
        if run.returncode != 0:
            sys.exit(f"the documented client failed with exit code {run.returncode}")
        print("1 passed, 0 failed")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Runs the Python client of docs/protocol.md, exactly as printed there, against a real node.

Starts roomsd on a free loopback port with a fresh data dir, extracts the one ```python block
of the document, runs it with --port, and stops the node whatever happens.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402


def extract_python_block(doc_path):
    text = open(doc_path, encoding="utf-8").read()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    if len(blocks) != 1:
        sys.exit(f"expected exactly one python block in {doc_path}, found {len(blocks)}")
    return blocks[0]


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
        data_dir = os.path.join(work, "data")
        os.makedirs(data_dir)
        node, port = start_node(args.roomsd, data_dir)
        try:
            run = subprocess.run([sys.executable, client, "--port", str(port)],
                                 capture_output=True, text=True, timeout=30)
        finally:
            stop_node(node)
        print(run.stdout, end="")
        print(run.stderr, end="", file=sys.stderr)
        if run.returncode != 0:
            sys.exit(f"the documented client failed with exit code {run.returncode}")
        print("1 passed, 0 failed")


if __name__ == "__main__":
    main()

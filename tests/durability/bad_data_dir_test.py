#!/usr/bin/env python3
"""roomsd refuses a data dir it cannot trust, at start, naming the path and the cause: missing,
holding other files, or a corrupt store. It never starts empty over data it could not read.
"""
import argparse
import glob
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402


def refused(roomsd, data_dir, expected):
    run = subprocess.run([roomsd, "--port", "0", "--data-dir", data_dir], capture_output=True,
                         text=True, timeout=20)
    if run.returncode == 0 or data_dir not in run.stderr or expected not in run.stderr:
        raise AssertionError(f"{data_dir}: exit {run.returncode}, stderr {run.stderr!r}")
    print(f"refused: {run.stderr.strip()}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        refused(args.roomsd, os.path.join(work, "missing"), "does not exist")

        foreign = os.path.join(work, "foreign")
        os.makedirs(foreign)
        with open(os.path.join(foreign, "notes.txt"), "w") as out:
            out.write("not a store")
        refused(args.roomsd, foreign, "notes.txt")

        corrupt = os.path.join(work, "corrupt")
        os.makedirs(corrupt)
        node, _ = start_node(args.roomsd, corrupt)
        stop_node(node)
        for manifest in glob.glob(os.path.join(corrupt, "rocksdb", "MANIFEST-*")):
            with open(manifest, "w") as out:
                out.write("garbage")
        refused(args.roomsd, corrupt, "Corruption")
    print("3 passed, 0 failed")


if __name__ == "__main__":
    main()

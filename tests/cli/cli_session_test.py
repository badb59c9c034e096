#!/usr/bin/env python3
"""rooms-cli against a real node: README's "A short session" runs exactly as printed (room ids
aside), and the CLI's messages for a refused connection and for an unquoted string say what to do.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from roomsd_process import start_node, stop_node  # noqa: E402

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
MARK = "@@next-command@@"


def session_of(readme):
    """The commands and expected outputs of README's first ```console block."""
    with open(readme, encoding="utf-8") as f:
        text = f.read()
    block = re.search(r"```console\n(.*?)```", text, re.S)
    if not block:
        raise AssertionError("README.md has no ```console block")
    steps = []
    for line in block.group(1).splitlines():
        if line.startswith("$ "):
            steps.append((line[2:], []))
        elif steps:
            steps[-1][1].append(line)
        else:
            raise AssertionError(f"output before the first command: {line!r}")
    return steps


def normalize(lines):
    return [UUID.sub("<room id>", line) for line in lines]


def run_session(cli, port, steps):
    script = "set -e\n"
    for command, _ in steps:
        script += f"echo {MARK}\n{command.replace('build/bin/rooms-cli', cli)}\n"
    env = dict(os.environ, ROOMS_PORT=str(port))
    env.pop("ROOMS_HOST", None)
    done = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                          timeout=60)
    if done.returncode != 0:
        raise AssertionError(f"the session failed ({done.returncode}): {done.stderr}")
    outputs = done.stdout.split(MARK + "\n")[1:]
    return [o.splitlines() for o in outputs]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_cli(cli, *args, env=None):
    return subprocess.run([cli, *args], capture_output=True, text=True, timeout=30,
                          env=dict(os.environ, **(env or {})))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--roomsd", required=True)
    parser.add_argument("--cli", required=True)
    parser.add_argument("--readme", required=True)
    args = parser.parse_args()
    failures = []
    steps = session_of(args.readme)
    with tempfile.TemporaryDirectory() as data_dir:
        node, port = start_node(args.roomsd, data_dir)
        try:
            got = run_session(args.cli, port, steps)
            if len(got) != len(steps):
                failures.append(f"{len(steps)} commands, {len(got)} outputs")
            for (command, expected), actual in zip(steps, got):
                if normalize(expected) != normalize(actual):
                    failures.append(f"$ {command}\nREADME shows:\n" + "\n".join(expected) +
                                    "\nthe CLI printed:\n" + "\n".join(actual))
            bare = run_cli(args.cli, "create", "alice", '{"name": 1}', "--field", "room",
                           env={"ROOMS_PORT": str(port)})
            room = bare.stdout.strip()
            if not UUID.fullmatch(room):
                failures.append(f"--field room printed {bare.stdout!r}")
            unquoted = run_cli(args.cli, "edit", room, "alice", "set", "/name", "bob",
                               env={"ROOMS_PORT": str(port)})
            if unquoted.returncode != 2 or "'\"bob\"'" not in unquoted.stderr:
                failures.append(f"a bare string: {unquoted.returncode} {unquoted.stderr!r}")
        finally:
            stop_node(node)
    refused = run_cli(args.cli, "ping", env={"ROOMS_PORT": str(free_port())})
    if refused.returncode != 1 or "no Rooms node answers" not in refused.stderr or \
            "refused" not in refused.stderr.lower():
        failures.append(f"a refused connection: {refused.returncode} {refused.stderr!r}")
    for failure in failures:
        print("FAIL:", failure)
    print(f"cli session: {len(steps)} commands, {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

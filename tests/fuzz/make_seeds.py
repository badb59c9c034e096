#!/usr/bin/python3
"""Writes the fuzzers' seed corpora, taken from the unit tests (run by run.sh).

rpc_decoder: the raw byte strings of tests/protocol/rpc_decoder_test.cpp, a request for every
method, and the edits below wrapped in requests. room_edit: each (data, ops) pair of
tests/room/edit_engine_test.cpp as a MessagePack stream: data, then the edit's named arguments.
Usage: make_seeds.py OUT_DIR (creates OUT_DIR/rpc_decoder and OUT_DIR/room_edit).
"""
import hashlib
import json
import os
import re
import sys

import msgpack

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
ROOM = "5b0c6a9e-3f2d-4c1b-9a8e-7d6c5b4a3f2e"


def edit_cases():
    """(data, ops) from the success and failure tables of the edit engine's tests."""
    text = open(os.path.join(ROOT, "tests/room/edit_engine_test.cpp")).read()
    for data, ops in re.findall(r'\{"[^"]*",\s*R"\((.*?)\)",\s*R"\((.*?)\)"', text, re.S):
        try:
            yield json.loads(data), json.loads(ops)
        except json.JSONDecodeError:
            continue


def raw_byte_strings():
    """The raw({...}) inputs of the decoder's tests."""
    text = open(os.path.join(ROOT, "tests/protocol/rpc_decoder_test.cpp")).read()
    for body in re.findall(r"raw\(\{([^{}]*)\}\)", text):
        out = bytearray()
        for item in body.split(","):
            item = item.strip()
            if re.fullmatch(r"'.'", item):
                out.append(ord(item[1]))
            elif re.fullmatch(r"0x[0-9a-fA-F]+|\d+", item):
                out.append(int(item, 0) & 0xFF)
            else:
                break  # an expression the script does not evaluate: skip the rest
        if out:
            yield bytes(out)


def requests():
    """One request per method, the way docs/protocol.md shows them."""
    calls = [("create", {"user": "alice", "data": {"cells": {}}}), ("get", {"room": ROOM}),
             ("join", {"room": ROOM, "user": "bob"}), ("leave", {"room": ROOM, "user": "bob"}),
             ("delete", {"room": ROOM, "user": "alice"}), ("subscribe", {"room": ROOM, "since": 3}),
             ("unsubscribe", {"room": ROOM}), ("hello", {"token": "t", "client": "c"}),
             ("ping", {}), ("stats", {}), ("nope", {}),
             ("create", {"user": "alice", "meta": {"mode": "ranked", "seats": 4},
                         "expire": {"idle_ms": 60000, "empty_ms": None}}),
             ("set_meta", {"room": ROOM, "user": "bob", "meta": {"open": False, "seats": None}}),
             ("expire", {"room": ROOM, "user": "alice", "idle_ms": None, "empty_ms": 5000}),
             ("presence", {"room": ROOM, "user": "bob", "data": {"x": 1}, "ttl_ms": 30000}),
             ("list", {"where": [{"key": "mode", "eq": "ranked"}, {"key": "$members", "lte": 3},
                                 {"key": "region", "prefix": "eu"}, {"key": "vip", "exists": False},
                                 {"key": "seats", "gte": 1.5}],
                       "limit": 20, "after": ROOM})]
    for n, (method, params) in enumerate(calls, 1):
        yield msgpack.packb([0, n, method, [params]], use_bin_type=True)
    yield msgpack.packb([2, "join", [{"room": ROOM, "user": "carol"}]], use_bin_type=True)
    yield msgpack.packb([0, 99, b"ping", []], use_bin_type=True)


def write(folder, payload):
    name = hashlib.sha1(payload).hexdigest()[:16]
    with open(os.path.join(folder, name), "wb") as f:
        f.write(payload)


def main(out):
    decoder_dir = os.path.join(out, "rpc_decoder")
    room_dir = os.path.join(out, "room_edit")
    os.makedirs(decoder_dir, exist_ok=True)
    os.makedirs(room_dir, exist_ok=True)
    # The decoder fuzzer's first byte chooses how the rest is split into reads.
    for n, payload in enumerate(list(raw_byte_strings()) + list(requests())):
        write(decoder_dir, bytes([n % 256]) + payload)
    for n, (data, ops) in enumerate(edit_cases()):
        edit = {"ops": ops, "key": f"k{n % 3}", "if_version": 1 + n % 2, "reply": "version"}
        write(room_dir, msgpack.packb(data) + msgpack.packb({"ops": ops}) + msgpack.packb(edit))
        request = [0, n, "edit", [{"room": ROOM, "user": "alice", "ops": ops}]]
        write(decoder_dir, bytes([n % 256]) + msgpack.packb(request, use_bin_type=True))
    print(f"seeds: {len(os.listdir(decoder_dir))} rpc_decoder, {len(os.listdir(room_dir))} room_edit")


if __name__ == "__main__":
    main(sys.argv[1])

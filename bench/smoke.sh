#!/bin/bash
# smoke.sh ROOMSD ROOMS_BENCH: ctest bench_smoke. A 2 s edit run against a fresh node; passes
# when rooms-bench reports ops/s > 0 and no errors. No speed assertions.
set -u
here=$(dirname "$0")
. "$here/roomsd_node.sh"
trap stop_node EXIT
trap 'exit 1' INT TERM

roomsd=$1
bench=$2
start_node "$roomsd" async || exit 1
output=$("$bench" --port "$NODE_PORT" --connections 4 --depth 4 --rooms 20 --seconds 2 \
  --warmup-seconds 0.5 --json) || { echo "rooms-bench failed: $output"; exit 1; }
echo "$output"
echo "$output" | tail -n 1 | /usr/bin/python3 -c '
import json, sys
r = json.loads(sys.stdin.read())
ok = r["ops_per_second"] > 0 and r["errors"] == 0
print("bench_smoke:", "ok" if ok else "FAILED")
sys.exit(0 if ok else 1)'

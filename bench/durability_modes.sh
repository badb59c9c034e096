#!/bin/bash
# durability_modes.sh: edits/s of roomsd in durability sync, async and none under the same
# load, modes alternated (A B C A B C) so drift on a shared machine hits all of them alike.
# Usage: bench/durability_modes.sh [--roomsd PATH] [--bench PATH] [--seconds S] [--runs N]
# Prints each run, then a markdown table (used in docs/benchmarks.md).
set -u
here=$(dirname "$0")
. "$here/roomsd_node.sh"

roomsd=build/bin/roomsd
bench=build/bin/rooms-bench
seconds=8
runs=2
while [ $# -gt 0 ]; do
  case $1 in
    --roomsd) roomsd=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done

results=$(mktemp /tmp/rooms-bench-results.XXXXXX)
trap 'stop_node; rm -f "$results"' EXIT
trap 'exit 1' INT TERM

# run_one MODE DEPTH RUN: one node, one rooms-bench run; appends "MODE DEPTH RUN JSON".
run_one() {
  start_node "$roomsd" "$1" || exit 1
  local output
  output=$("$bench" --port "$NODE_PORT" --workload edit --connections 50 --depth "$2" \
    --rooms 1000 --seconds "$seconds" --warmup-seconds 1 --json)
  local status=$?
  stop_node
  echo "== durability $1, C=50 D=$2, run $3" >&2
  echo "$output" >&2
  [ $status -eq 0 ] || { echo "rooms-bench failed" >&2; exit 1; }
  echo "$1 $2 $3 $(echo "$output" | tail -n 1)" >>"$results"
}

echo "load before: $(uptime)" >&2
for depth in 16 1; do
  for run in $(seq "$runs"); do
    for mode in sync async none; do run_one "$mode" "$depth" "$run"; done
  done
done
echo "load after: $(uptime)" >&2

/usr/bin/python3 - "$results" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    mode, depth, run, doc = line.split(" ", 3)
    rows.setdefault((int(depth), mode), []).append(json.loads(doc))
print("| load | durability | edits/s per run | edits/s mean | p50 us | p99 us | errors | client cores |")
print("|---|---|---|---|---|---|---|---|")
for depth in (16, 1):
    for mode in ("sync", "async", "none"):
        rs = rows.get((depth, mode), [])
        if not rs:
            continue
        mean = lambda k: sum(r[k] for r in rs) / len(rs)
        per_run = " / ".join(f"{r['ops_per_second']:.0f}" for r in rs)
        print(f"| C=50 D={depth} | {mode} | {per_run} | {mean('ops_per_second'):.0f} "
              f"| {mean('p50_us'):.0f} | {mean('p99_us'):.0f} | {sum(r['errors'] for r in rs)} "
              f"| {mean('client_cpu_cores'):.2f} |")
PY

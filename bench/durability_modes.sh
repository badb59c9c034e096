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

# node_cpu_ticks: the node's user + sys CPU so far, in clock ticks (/proc/PID/stat 14 and 15).
node_cpu_ticks() { awk '{print $14 + $15}' "/proc/$NODE_PID/stat"; }

# run_one MODE DEPTH RUN: one node, one rooms-bench run; appends "MODE DEPTH RUN NODE_CORES JSON"
# where NODE_CORES is the node's CPU over the whole bench run (setup and warmup included).
run_one() {
  start_node "$roomsd" "$1" || exit 1
  local output ticks_before start_ns
  ticks_before=$(node_cpu_ticks)
  start_ns=$(date +%s%N)
  output=$("$bench" --port "$NODE_PORT" --workload edit --connections 50 --depth "$2" \
    --rooms 1000 --seconds "$seconds" --warmup-seconds 1 --json)
  local status=$?
  local node_cores
  node_cores=$(awk -v t="$(($(node_cpu_ticks) - ticks_before))" -v hz="$(getconf CLK_TCK)" \
    -v ns="$(($(date +%s%N) - start_ns))" 'BEGIN {printf "%.2f", t / hz / (ns / 1e9)}')
  stop_node
  echo "== durability $1, C=50 D=$2, run $3" >&2
  echo "$output" >&2
  [ $status -eq 0 ] || { echo "rooms-bench failed" >&2; exit 1; }
  echo "node cpu: $node_cores cores" >&2
  echo "$1 $2 $3 $node_cores $(echo "$output" | tail -n 1)" >>"$results"
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
    mode, depth, run, node_cores, doc = line.split(" ", 4)
    row = json.loads(doc)
    row["node_cores"] = float(node_cores)
    rows.setdefault((int(depth), mode), []).append(row)
print("| load | durability | edits/s per run | edits/s mean | p50 us | p99 us | errors | client cores | node cores |")
print("|---|---|---|---|---|---|---|---|---|")
for depth in (16, 1):
    for mode in ("sync", "async", "none"):
        rs = rows.get((depth, mode), [])
        if not rs:
            continue
        mean = lambda k: sum(r[k] for r in rs) / len(rs)
        per_run = " / ".join(f"{r['ops_per_second']:.0f}" for r in rs)
        print(f"| C=50 D={depth} | {mode} | {per_run} | {mean('ops_per_second'):.0f} "
              f"| {mean('p50_us'):.0f} | {mean('p99_us'):.0f} | {sum(r['errors'] for r in rs)} "
              f"| {mean('client_cpu_cores'):.2f} | {mean('node_cores'):.2f} |")
PY

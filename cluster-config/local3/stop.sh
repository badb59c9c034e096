#!/usr/bin/env bash
# Stops the local three-node cluster started by start.sh: SIGTERM (graceful), then SIGKILL
# after 10 s. The data stays in cluster-data/local3/ for the next start. `stop.sh NAME` stops
# cluster-config/NAME/'s nodes instead (local3-tls/stop.sh does).
set -euo pipefail
cd "$(dirname "$0")/../.."

name=${1:-local3}
state=cluster-data/$name
pids=()
for i in 1 2 3; do
  [ -f "$state/node$i.pid" ] || continue
  pid=$(cat "$state/node$i.pid")
  rm -f "$state/node$i.pid"
  kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
done
for _ in $(seq 100); do
  alive=()
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive+=("$pid"); done
  [ ${#alive[@]} -eq 0 ] && { echo "cluster $name stopped"; exit 0; }
  sleep 0.1
done
echo "forcing: ${alive[*]}" >&2
kill -KILL "${alive[@]}" 2>/dev/null || true

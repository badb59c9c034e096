#!/usr/bin/env bash
# Starts the local three-node cluster in the background and returns once every node answers
# `ping` and sees its two peers. Logs and pids: cluster-data/local3/nodeN.{log,pid}.
# Run from anywhere; paths are relative to the repository root. Needs build/bin/roomsd and
# build/bin/rooms-cli (cmake -S . -B build && cmake --build build -j2).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${ROOMS_BIN:-build/bin}
state=cluster-data/local3
for tool in roomsd rooms-cli; do
  [ -x "$bin/$tool" ] || { echo "start.sh: $bin/$tool is missing; build first" >&2; exit 1; }
done

for i in 1 2 3; do
  if [ -f "$state/node$i.pid" ] && kill -0 "$(cat "$state/node$i.pid")" 2>/dev/null; then
    echo "node$i is already running (pid $(cat "$state/node$i.pid"))"
    continue
  fi
  mkdir -p "$state/node$i"
  nohup "$bin/roomsd" --config "cluster-config/local3/node$i.conf" >>"$state/node$i.log" 2>&1 &
  echo $! >"$state/node$i.pid"
done

# Every node answers ping, then every node has both peers (calls on their rooms then work).
deadline=$((SECONDS + 30))
for i in 1 2 3; do
  until "$bin/rooms-cli" --port "742$i" --timeout 1000 stats 2>/dev/null | grep -Eq '"peers_up": *2'; do
    if ! kill -0 "$(cat "$state/node$i.pid")" 2>/dev/null; then
      echo "node$i exited; see $state/node$i.log:" >&2
      tail -n 5 "$state/node$i.log" >&2
      exit 1
    fi
    if [ $SECONDS -ge $deadline ]; then
      echo "node$i did not join the cluster within 30 s; see $state/node$i.log" >&2
      exit 1
    fi
    sleep 0.2
  done
done
echo "cluster local3 up: clients on 127.0.0.1:7421, 7422, 7423 (logs in $state/)"

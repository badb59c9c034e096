#!/usr/bin/env bash
# Starts the local three-node cluster in the background and returns once every node answers
# `ping` and sees its two peers. Logs and pids: cluster-data/local3/nodeN.{log,pid}.
# `start.sh NAME` starts cluster-config/NAME/ instead (local3-tls/start.sh does): when its
# nodes speak TLS (`tls-cert` in node1.conf), the certificates are made first if missing
# (tools/make-certs.sh into cluster-data/NAME/certs), and the nodes are asked over TLS with the
# client certificate.
# Run from anywhere; paths are relative to the repository root. Needs build/bin/roomsd and
# build/bin/rooms-cli (cmake -S . -B build && cmake --build build -j2).
set -euo pipefail
cd "$(dirname "$0")/../.."

name=${1:-local3}
conf=cluster-config/$name
bin=${ROOMS_BIN:-build/bin}
state=cluster-data/$name
for tool in roomsd rooms-cli; do
  [ -x "$bin/$tool" ] || { echo "start.sh: $bin/$tool is missing; build first" >&2; exit 1; }
done

client=()
if grep -q '^tls-cert' "$conf/node1.conf"; then
  certs=$state/certs
  for file in ca node1 node2 node3 client; do
    if [ ! -f "$certs/$file.pem" ] || [ ! -f "$certs/$file.key" ]; then
      tools/make-certs.sh "$certs" node1 node2 node3
      break
    fi
  done
  client=(--tls-ca "$certs/ca.pem" --tls-cert "$certs/client.pem" --tls-key "$certs/client.key")
fi

ports=()
for i in 1 2 3; do
  ports+=("$(sed -n 's/^port *= *\([0-9]*\)$/\1/p' "$conf/node$i.conf")")
  if [ -f "$state/node$i.pid" ] && kill -0 "$(cat "$state/node$i.pid")" 2>/dev/null; then
    echo "node$i is already running (pid $(cat "$state/node$i.pid"))"
    continue
  fi
  mkdir -p "$state/node$i"
  nohup "$bin/roomsd" --config "$conf/node$i.conf" >>"$state/node$i.log" 2>&1 &
  echo $! >"$state/node$i.pid"
done

# Every node answers ping, then every node has both peers (calls on their rooms then work).
deadline=$((SECONDS + 30))
for i in 1 2 3; do
  until "$bin/rooms-cli" --port "${ports[$((i - 1))]}" "${client[@]}" --timeout 1000 stats \
      2>/dev/null | grep -Eq '"peers_up": *2'; do
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
echo "cluster $name up: clients on 127.0.0.1:${ports[0]}, ${ports[1]}, ${ports[2]}" \
  "(logs in $state/)"
if [ ${#client[@]} -gt 0 ]; then
  echo "over TLS: rooms-cli --port ${ports[0]} ${client[*]} ping"
fi

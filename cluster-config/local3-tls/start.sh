#!/usr/bin/env bash
# Starts the local three-node cluster with TLS on both ports in the background and returns once
# every node answers over TLS and sees its two peers. Makes the certificates first when they are
# missing (tools/make-certs.sh into cluster-data/local3-tls/certs). Logs and pids:
# cluster-data/local3-tls/nodeN.{log,pid}. Run from anywhere; paths are relative to the
# repository root. Needs build/bin/roomsd and build/bin/rooms-cli (cmake -S . -B build &&
# cmake --build build -j2).
set -euo pipefail
cd "$(dirname "$0")/../.."

bin=${ROOMS_BIN:-build/bin}
state=cluster-data/local3-tls
certs=$state/certs
for tool in roomsd rooms-cli; do
  [ -x "$bin/$tool" ] || { echo "start.sh: $bin/$tool is missing; build first" >&2; exit 1; }
done

for file in ca node1 node2 node3 client; do
  if [ ! -f "$certs/$file.pem" ] || [ ! -f "$certs/$file.key" ]; then
    tools/make-certs.sh "$certs" node1 node2 node3
    break
  fi
done

for i in 1 2 3; do
  if [ -f "$state/node$i.pid" ] && kill -0 "$(cat "$state/node$i.pid")" 2>/dev/null; then
    echo "node$i is already running (pid $(cat "$state/node$i.pid"))"
    continue
  fi
  mkdir -p "$state/node$i"
  nohup "$bin/roomsd" --config "cluster-config/local3-tls/node$i.conf" >>"$state/node$i.log" 2>&1 &
  echo $! >"$state/node$i.pid"
done

# Every node answers over TLS (with the client certificate), then every node has both peers.
tls=(--tls-ca "$certs/ca.pem" --tls-cert "$certs/client.pem" --tls-key "$certs/client.key")
deadline=$((SECONDS + 30))
for i in 1 2 3; do
  until "$bin/rooms-cli" --port "743$i" "${tls[@]}" --timeout 1000 stats 2>/dev/null | grep -Eq '"peers_up": *2'; do
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
echo "cluster local3-tls up: TLS clients on 127.0.0.1:7431, 7432, 7433 (logs in $state/)"
echo "rooms-cli needs: ${tls[*]}"

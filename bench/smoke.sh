#!/bin/bash
# smoke.sh ROOMSD ROOMS_BENCH: ctest bench_smoke. Runs every workload of rooms-bench for about a
# second against fresh servers (roomsd; the echo server; redis-server when installed) and checks
# that each reported work done, no errors and no gaps. No speed assertions.
set -u
here=$(dirname "$0")
. "$here/roomsd_node.sh"
. "$here/side_servers.sh"
certs=$(mktemp -d /tmp/rooms-smoke-certs.XXXXXX)
trap 'stop_node; stop_redis; stop_echo; rm -rf "$certs"' EXIT
trap 'exit 1' INT TERM

roomsd=$1
bench=$2
failed=0
short=(--seconds 1 --warmup-seconds 0.2 --json)

# check NAME CONDITION OUTPUT: CONDITION is a Python expression over every JSON line `r`.
check() {
  local name=$1 condition=$2 output=$3
  echo "== $name"
  echo "$output"
  if echo "$output" | grep '^{' | /usr/bin/python3 -c "
import json, sys
lines = [json.loads(l) for l in sys.stdin]
sys.exit(0 if lines and all($condition for r in lines) else 1)"; then
    echo "$name: ok"
  else
    echo "$name: FAILED"
    failed=1
  fi
}

edited='r["ok"] > 0 and r["errors"] == 0'
fanned='r["ok"] > 0 and r["errors"] == 0 and r["events_per_second"] > 0 and r["gaps"] == 0 and r["duplicates"] == 0 and r["unrecognized_events"] == 0'

start_node "$roomsd" async || exit 1
check "rooms edit" "$edited" \
  "$("$bench" --port "$NODE_PORT" --connections 4 --depth 4 --rooms 20 "${short[@]}")"
check "rooms fanout" "$fanned" "$("$bench" --port "$NODE_PORT" --workload fanout \
  --connections 4 --depth 2 --rooms 20 --subscribers 2 "${short[@]}")"
check "rooms fanout with patches" "$fanned" "$("$bench" --port "$NODE_PORT" --workload fanout \
  --connections 4 --depth 2 --rooms 20 --subscribers 2 --patch "${short[@]}")"
check "rooms presence" "$fanned" "$("$bench" --port "$NODE_PORT" --workload presence \
  --connections 4 --depth 2 --rooms 20 --subscribers 2 "${short[@]}")"
check "rooms churn" "$edited" \
  "$("$bench" --port "$NODE_PORT" --workload churn --connections 4 --depth 2 "${short[@]}")"
check "rooms bigroom" "$edited and r['room_bytes'] > 0" "$("$bench" --port "$NODE_PORT" \
  --workload bigroom --bigroom-mib 2 --connections 2 --seconds 0.5 --warmup-seconds 0.1 --json)"
check "rooms memory" 'r["rss_created_kib"] > r["rss_before_kib"] > 0' "$("$bench" \
  --port "$NODE_PORT" --workload rooms --rooms 2000 --node-pid "$NODE_PID" --seconds 0 --json)"
listed='r["ok"] > 0 and r["errors"] == 0 and r["p99_us"] > 0'
check "rooms list" "$listed" "$("$bench" --port "$NODE_PORT" --workload list --rooms 1000 \
  "${short[@]}")"
check "rooms list, measured again" "$listed" "$("$bench" --port "$NODE_PORT" --workload list \
  --rooms 1000 --no-setup "${short[@]}")"
stop_node

# Over TLS (issue 16): the node with a certificate from tools/make-certs.sh, rooms-bench trusting
# its CA; the setup's rooms_client and the load's event loop both speak TLS.
"$here/../tools/make-certs.sh" "$certs" node >/dev/null || exit 1
tls_node=(--tls-cert "$certs/node.pem" --tls-key "$certs/node.key")
tls_client=(--tls-ca "$certs/ca.pem")
start_node "$roomsd" none "${tls_node[@]}" || exit 1
check "rooms edit over TLS" "$edited" "$("$bench" --port "$NODE_PORT" "${tls_client[@]}" \
  --connections 4 --depth 4 --rooms 20 "${short[@]}")"
check "rooms fanout over TLS" "$fanned" "$("$bench" --port "$NODE_PORT" "${tls_client[@]}" \
  --workload fanout --connections 4 --depth 2 --rooms 20 --subscribers 2 "${short[@]}")"
stop_node

start_echo "$bench" || exit 1
check "echo edit" "$edited" \
  "$("$bench" --port "$ECHO_PORT" --target echo --connections 4 --depth 4 "${short[@]}")"
stop_echo

if command -v redis-server >/dev/null; then
  start_redis || exit 1
  check "redis edit" "$edited" "$("$bench" --port "$REDIS_PORT" --target redis \
    --connections 4 --depth 4 --rooms 20 "${short[@]}")"
  check "redis fanout" "$fanned" "$("$bench" --port "$REDIS_PORT" --target redis \
    --workload fanout --connections 4 --depth 2 --rooms 20 --subscribers 2 "${short[@]}")"
  check "redis presence" "$fanned" "$("$bench" --port "$REDIS_PORT" --target redis \
    --workload presence --connections 4 --depth 2 --rooms 20 --subscribers 2 "${short[@]}")"
  check "redis list" "$listed" "$("$bench" --port "$REDIS_PORT" --target redis --workload list \
    --rooms 1000 "${short[@]}")"
  stop_redis
  start_redis_tls "$certs/node.pem" "$certs/node.key" || exit 1
  check "redis edit over TLS" "$edited" "$("$bench" --port "$REDIS_PORT" --target redis \
    "${tls_client[@]}" --connections 4 --depth 4 --rooms 20 "${short[@]}")"
  stop_redis
else
  echo "redis-server not installed: Redis workloads skipped"
fi
exit $failed

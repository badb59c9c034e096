# roomsd_node.sh: start and stop one roomsd on a free loopback port, for bench scripts (sourced).
# start_node ROOMSD MODE sets NODE_PID, NODE_PORT and NODE_DIR; stop_node undoes all of it.

NODE_PID=""
NODE_DIR=""
NODE_PORT=""

# start_node ROOMSD DURABILITY [ROOMSD OPTIONS...]: a fresh data dir, port 0, and waits (20 s at
# most) for "roomsd listening on 127.0.0.1:PORT" on its stderr.
start_node() {
  local roomsd=$1 durability=$2
  shift 2
  NODE_DIR=$(mktemp -d /tmp/rooms-bench.XXXXXX)
  # roomsd refuses a missing data dir (a mistyped path must not become an empty store).
  mkdir "$NODE_DIR/data"
  restart_node "$roomsd" "$durability" "$@"
}

# restart_node ROOMSD DURABILITY [ROOMSD OPTIONS...]: a node on the data dir of the last
# start_node (after stop_node_keep_data), waiting for it as start_node does.
restart_node() {
  local roomsd=$1 durability=$2
  shift 2
  "$roomsd" --host 127.0.0.1 --port 0 --data-dir "$NODE_DIR/data" --durability "$durability" \
    "$@" 2>"$NODE_DIR/roomsd.log" &
  NODE_PID=$!
  local i
  for i in $(seq 200); do
    NODE_PORT=$(sed -n 's/^roomsd listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$NODE_DIR/roomsd.log")
    [ -n "$NODE_PORT" ] && return 0
    kill -0 "$NODE_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "roomsd did not start:" >&2
  cat "$NODE_DIR/roomsd.log" >&2
  return 1
}

# stop_node_keep_data: SIGTERM, then SIGKILL after 30 s (a node holding a million rooms takes a
# while to stop); the data dir stays for restart_node.
stop_node_keep_data() {
  if [ -n "$NODE_PID" ]; then
    kill -TERM "$NODE_PID" 2>/dev/null
    local i
    for i in $(seq 300); do kill -0 "$NODE_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$NODE_PID" 2>/dev/null
    wait "$NODE_PID" 2>/dev/null
  fi
  NODE_PID=""
  NODE_PORT=""
}

# stop_node: stop_node_keep_data, then removes the data dir. Safe to call twice.
stop_node() {
  stop_node_keep_data
  [ -n "$NODE_DIR" ] && rm -rf "$NODE_DIR"
  NODE_PID=""
  NODE_DIR=""
  NODE_PORT=""
}

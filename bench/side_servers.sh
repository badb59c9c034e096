# side_servers.sh: start and stop the peers rooms-bench compares against (sourced): a fresh
# redis-server and the echo server (rooms-bench echo-server), each on a free loopback port.
# start_redis sets REDIS_PID, REDIS_PORT; start_echo BENCH sets ECHO_PID, ECHO_PORT.

REDIS_PID=""
REDIS_PORT=""
REDIS_DIR=""
ECHO_PID=""
ECHO_PORT=""
ECHO_LOG=""

# free_port: a port the kernel just handed out on 127.0.0.1 (redis-server cannot bind port 0).
free_port() {
  /usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# start_redis [REDIS OPTIONS...]: no persistence (like durability none) unless the options say
# otherwise (later options win: --appendonly yes --appendfsync always is the durable peer of
# sync); waits (10 s at most) until it is ready.
start_redis() {
  REDIS_DIR=$(mktemp -d /tmp/rooms-bench-redis.XXXXXX)
  REDIS_PORT=$(free_port)
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no \
    --dir "$REDIS_DIR" --logfile "$REDIS_DIR/redis.log" "$@" &
  REDIS_PID=$!
  local i
  for i in $(seq 100); do
    grep -q "Ready to accept connections" "$REDIS_DIR/redis.log" 2>/dev/null && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "redis-server did not start:" >&2
  cat "$REDIS_DIR/redis.log" >&2
  return 1
}

# start_redis_tls CERT KEY [REDIS OPTIONS...]: start_redis with only a TLS port (REDIS_PORT;
# Debian's redis-server is built with TLS), clients not asked for certificates.
start_redis_tls() {
  local cert=$1 key=$2
  shift 2
  local tls_port
  tls_port=$(free_port)
  start_redis --port 0 --tls-port "$tls_port" --tls-cert-file "$cert" --tls-key-file "$key" \
    --tls-auth-clients no "$@" || return 1
  REDIS_PORT=$tls_port
}

stop_redis() {
  if [ -n "$REDIS_PID" ]; then
    kill -TERM "$REDIS_PID" 2>/dev/null
    wait "$REDIS_PID" 2>/dev/null
  fi
  [ -n "$REDIS_DIR" ] && rm -rf "$REDIS_DIR"
  REDIS_PID=""
  REDIS_PORT=""
  REDIS_DIR=""
}

# start_echo BENCH: `BENCH echo-server --port 0`, waiting for its "listening on" line.
start_echo() {
  ECHO_LOG=$(mktemp /tmp/rooms-bench-echo.XXXXXX)
  "$1" echo-server --port 0 2>"$ECHO_LOG" &
  ECHO_PID=$!
  local i
  for i in $(seq 100); do
    ECHO_PORT=$(sed -n 's/^echo-server listening on 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$ECHO_LOG")
    [ -n "$ECHO_PORT" ] && return 0
    kill -0 "$ECHO_PID" 2>/dev/null || break
    sleep 0.1
  done
  echo "echo-server did not start:" >&2
  cat "$ECHO_LOG" >&2
  return 1
}

stop_echo() {
  if [ -n "$ECHO_PID" ]; then
    kill -TERM "$ECHO_PID" 2>/dev/null
    wait "$ECHO_PID" 2>/dev/null
  fi
  [ -n "$ECHO_LOG" ] && rm -f "$ECHO_LOG"
  ECHO_PID=""
  ECHO_PORT=""
  ECHO_LOG=""
}

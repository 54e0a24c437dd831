# Shared by the benchmark scripts (sourced, not run): start amarcord-server on
# a fresh SQLite database in a scratch directory, stop it gracefully, and
# clean up on exit. The caller defines die() and sets server_bin and work
# (an empty scratch directory) before calling these.

server_pid=""

# Starts "$server_bin" on $work/data, on a free loopback port, with any extra
# arguments; sets server_pid, port and base once it answers /api/health.
# --db-url is passed explicitly so a DB_URL (or a config file via
# AMARCORD_CONFIG) in the caller's environment can never point a benchmark at
# a real database. Other AMARCORD_* variables (e.g. AMARCORD_THREADS,
# AMARCORD_DB_POOL_SIZE) pass through as tuning knobs. --log-level warn keeps
# the per-request access log out of the measurement.
start_server() {
  AMARCORD_TZ=UTC "$server_bin" \
    --data-dir "$work/data" \
    --db-url "sqlite:///$work/data/amarcord.db" \
    --listen 127.0.0.1:0 \
    --port-file "$work/port" \
    --log-level warn \
    "$@" \
    >"$work/server.log" 2>&1 &
  server_pid=$!
  # The server writes the port file (atomically) once it is listening, after
  # migrating the fresh database.
  for _ in $(seq 1 200); do
    [[ -s $work/port ]] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      server_pid=""
      cat "$work/server.log" >&2
      die "server exited during startup (log above)"
    fi
    sleep 0.05
  done
  [[ -s $work/port ]] || die "server did not write its port file within 10 s"
  port=$(<"$work/port")
  base="http://127.0.0.1:$port"
  curl -fsS -o /dev/null "$base/api/health" || die "GET /api/health failed before the benchmark"
}

# SIGTERM is the server's graceful stop; give it a bit more than its default
# 20 s shutdown grace before falling back to SIGKILL.
stop_server() {
  [[ -n $server_pid ]] || return 0
  local pid=$server_pid status=0
  server_pid=""
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 250); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "$(basename "$0"): server did not stop within 25 s of SIGTERM; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  wait "$pid" 2>/dev/null || status=$?
  if ((status != 0)); then
    echo "$(basename "$0"): server exited with status $status after SIGTERM" >&2
  fi
  return 0
}

# On exit, Ctrl-C or kill: stop the server and remove $work.
cleanup_on_exit() {
  trap 'stop_server; rm -rf -- "$work"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
}

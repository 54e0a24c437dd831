#!/usr/bin/env bash
# Throughput benchmark: GET /api/beamtimes against GET /api/health.
#
# Usage (from any directory):
#   bash bench/beamtimes.sh
#   N=1000 DURATION=10 AMARCORD_SERVER=build-bench/bin/amarcord-server bash bench/beamtimes.sh
#
#   N                beamtimes loaded before measuring (default 200)
#   DURATION         seconds per wrk run (default 5)
#   AMARCORD_SERVER  server binary; a relative path is taken from the repo root
#                    (default build/bin/amarcord-server)
#
# Needs curl and wrk. On Debian/Ubuntu: sudo apt-get install -y curl wrk
# The script does not build the server; build it first, e.g.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build --target amarcord-server
#
# What it does: starts the server on a fresh SQLite database in a temp dir
# (127.0.0.1, a free port), loads N beamtimes, runs wrk against the list
# endpoint and then the health endpoint, and prints req/s, p99 latency and
# their ratio. Both endpoints go through the same database worker pool, so
# the ratio shows what listing N beamtimes costs on top of a trivial query.
# Absolute numbers depend on the machine; compare ratios from one run.
#
# Exit status: non-zero if anything fails, or if wrk saw non-2xx/3xx responses
# (the table is printed first).

set -euo pipefail

# Work from the repo root so relative paths mean the same from any cwd.
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd -P)

N=${N:-200}
DURATION=${DURATION:-5}
server_bin=${AMARCORD_SERVER:-build/bin/amarcord-server}
[[ $server_bin == /* ]] || server_bin="$repo_root/$server_bin"

# wrk settings; fixed so runs are comparable.
WRK_THREADS=2
WRK_CONNECTIONS=64

die() {
  echo "beamtimes.sh: $*" >&2
  exit 1
}

for tool in curl wrk; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' not found; install it (Debian/Ubuntu: sudo apt-get install -y $tool)"
done
[[ -x $server_bin ]] ||
  die "server binary not found or not executable: $server_bin (build it, or set AMARCORD_SERVER)"
[[ $N =~ ^[1-9][0-9]*$ ]] || die "N must be a positive integer, got '$N'"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive number of seconds, got '$DURATION'"

work=$(mktemp -d "${TMPDIR:-/tmp}/amarcord-bench.XXXXXX")
# shellcheck source=bench/lib/server.sh
source bench/lib/server.sh
cleanup_on_exit

# --- start the server ------------------------------------------------------

start_server

# --- load N beamtimes ------------------------------------------------------

# One curl per beamtime, 4 at a time: simple, and a few seconds even for
# thousands. external_id is made unique per beamtime.
echo "loading $N beamtimes..."
seq 1 "$N" | xargs -P 4 -I '@I@' curl -fsS -o /dev/null \
  -H 'Content-Type: application/json' \
  -d '{"id":0,"external_id":"bt-@I@","beamline":"P11","proposal":"p","title":"t","comment":"c","start_local":1700000000000,"end_local":1700003600000,"analysis_output_path":"/tmp"}' \
  "$base/api/beamtimes" ||
  die "loading beamtimes failed"

# Check the list really holds N beamtimes, so the benchmark measures what it
# says it does.
loaded=$(curl -fsS "$base/api/beamtimes" | grep -o '"external_id":' | wc -l)
((loaded == N)) || die "expected $N beamtimes in GET /api/beamtimes, found $loaded"

# --- run wrk ---------------------------------------------------------------

# Prints "rps p99_ms non2xx socket_errors socket_detail" from wrk's output.
# The latency unit is whatever wrk picked (us, ms, s; m for absurd values).
parse_wrk() {
  awk '
    /^Requests\/sec:/            { rps = $2 }
    /Latency Distribution/       { in_dist = 1 }
    in_dist && $1 == "99%"       { p99 = $2; in_dist = 0 }
    /Non-2xx or 3xx responses:/  { non2xx = $NF }
    /Socket errors:/ {
      # "Socket errors: connect 0, read 0, write 0, timeout 0"
      line = $0; gsub(",", "", line); split(line, f, " ")
      sock = f[4] + f[6] + f[8] + f[10]
      detail = sprintf("connect=%d,read=%d,write=%d,timeout=%d", f[4], f[6], f[8], f[10])
    }
    END {
      if (rps == "" || p99 == "") { print "parse-error"; exit }
      value = p99 + 0; unit = p99; sub(/^[0-9.]+/, "", unit)
      if      (unit == "us") ms = value / 1000
      else if (unit == "ms") ms = value
      else if (unit == "s")  ms = value * 1000
      else if (unit == "m")  ms = value * 60000
      else { print "parse-error"; exit }
      printf "%s %.2f %d %d %s\n", rps, ms, non2xx + 0, sock + 0, (detail == "" ? "-" : detail)
    }
  ' "$1"
}

# Runs wrk on one endpoint; the parsed result goes to $work/<name>.result.
run_wrk() {  # name path
  local out="$work/wrk-$1.txt"
  echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s --latency GET $2 ..."
  wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${DURATION}s" --latency "$base$2" >"$out" ||
    { cat "$out" >&2; die "wrk failed for $2"; }
  parse_wrk "$out" >"$work/$1.result"
  [[ $(<"$work/$1.result") != parse-error ]] ||
    { cat "$out" >&2; die "could not parse wrk output for $2"; }
}

run_wrk beamtimes /api/beamtimes
run_wrk health /api/health
read -r bt_rps bt_p99 bt_non2xx bt_sock bt_sock_detail <"$work/beamtimes.result"
read -r h_rps h_p99 h_non2xx h_sock h_sock_detail <"$work/health.result"

stop_server

# --- report ----------------------------------------------------------------

echo
echo "cores: $(nproc)   N: $N beamtimes   wrk: -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s   database: SQLite"
printf '%-20s %12s %10s %9s %14s\n' "endpoint" "requests/s" "p99 ms" "non-2xx" "socket errors"
printf '%-20s %12.0f %10.2f %9d %14d\n' "GET /api/beamtimes" "$bt_rps" "$bt_p99" "$bt_non2xx" "$bt_sock"
printf '%-20s %12.0f %10.2f %9d %14d\n' "GET /api/health" "$h_rps" "$h_p99" "$h_non2xx" "$h_sock"
printf '%-20s %12s\n' "health/beamtimes" \
  "$(awk -v h="$h_rps" -v b="$bt_rps" 'BEGIN { if (b > 0) printf "%.2fx", h / b; else print "n/a" }')"

((bt_sock == 0)) || echo "note: socket errors on /api/beamtimes: $bt_sock_detail"
((h_sock == 0)) || echo "note: socket errors on /api/health: $h_sock_detail"

# With --log-level warn anything in the log is worth a look.
if [[ -s $work/server.log ]]; then
  echo
  echo "server log ($(wc -l <"$work/server.log") lines at warn level or above; first 20):"
  head -n 20 "$work/server.log"
fi

if ((bt_non2xx + h_non2xx > 0)); then
  echo "FAIL: wrk reported non-2xx/3xx responses" >&2
  exit 1
fi

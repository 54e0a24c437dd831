#!/usr/bin/env bash
# Run benchmark: run overview, whole run table, filtered run table and run
# ingest on one realistic beamtime, against the targets of issue 4.
#
# Usage (from any directory):
#   bash bench/runs.sh
#   RUNS=2000 DURATION=10 AMARCORD_SERVER=build-bench/bin/amarcord-server bash bench/runs.sh
#
#   RUNS             runs in the generated beamtime (default 5000)
#   ATTRIBUTI        run attributi, "sample" included (default 40, at least 6)
#   EVENTS           log events (default 2000)
#   DURATION         seconds per wrk run (default 5)
#   FILTER           filter expression for the filtered table (default
#                    'number_2 > 30 and choice_4 == "a" and sample == "lysozyme"')
#   AMARCORD_SERVER  server binary; a relative path is taken from the repo root
#                    (default build/bin/amarcord-server)
#
# Needs curl, wrk and python3. On Debian/Ubuntu: sudo apt-get install -y curl wrk python3
# The script does not build the server; build it first, e.g.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build --target amarcord-server
#
# What it does:
#  1. starts the server on a fresh SQLite database in a temp dir (127.0.0.1,
#     a free port) and fills it with bench/generate_beamtime.py: 1 beamtime,
#     RUNS runs x ATTRIBUTI attributi, EVENTS events;
#  2. checks with curl that every endpoint answers 200 and that FILTER
#     selects a non-empty proper subset of the runs; notes the response sizes;
#  3. runs wrk -t2 --latency against GET /api/runs-overview/{bt} (16
#     connections, and -t1 -c1: one screen polling on its own),
#     GET /api/runs/{bt} (the whole table, 4 connections, and -t1 -c1, since
#     the "150 ms per request" target is about one request on its own) and
#     GET /api/runs/{bt}?filter=FILTER (4 connections);
#  4. runs wrk -t2 -c16 with bench/runs_ingest.lua: POST /api/runs/{externalId},
#     every request creating a new run as the run bridge does; afterwards
#     checks with curl that the number of runs grew by the number of requests
#     wrk reports (up to the 16 requests still in flight when wrk stopped);
#  5. prints one table (requests/s, p50, p99, non-2xx; MB/s of JSON for the
#     table: response bytes x requests/s; the server's CPU time per request)
#     and the issue's targets with whether each is met.
# Before each wrk run the script waits until the server is idle, so requests
# left in flight by the previous run (a whole table takes long) do not land
# in the next measurement.
# Client and server share the machine (wrk takes CPU from the server), and
# other processes may too: the load average before and after is printed.
#
# Exit status: non-zero if anything fails, or if wrk saw non-2xx/3xx responses
# or socket errors (the table is printed first). A missed target is reported,
# not an error.

set -euo pipefail

# Work from the repo root so relative paths mean the same from any cwd.
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd -P)

RUNS=${RUNS:-5000}
ATTRIBUTI=${ATTRIBUTI:-40}
EVENTS=${EVENTS:-2000}
DURATION=${DURATION:-5}
FILTER=${FILTER:-'number_2 > 30 and choice_4 == "a" and sample == "lysozyme"'}
server_bin=${AMARCORD_SERVER:-build/bin/amarcord-server}
[[ $server_bin == /* ]] || server_bin="$repo_root/$server_bin"

# wrk settings; fixed so runs are comparable. 16 connections is the ingest
# concurrency the issue asks for, and stands for many control-room screens
# polling the overview. The run table (whole or filtered) is opened by people,
# a few at a time, and takes long: with 16 connections a 5 s run would hardly
# complete a request per connection, so it gets 4 (and 1, see below). The
# long timeout keeps slow answers in the latency figures instead of turning
# them into socket errors.
WRK_THREADS=2
WRK_CONNECTIONS=16
TABLE_CONNECTIONS=4
WRK_TIMEOUT=30s

# Targets of issue 4.
TARGET_OVERVIEW_P99_MS=20
TARGET_TABLE_MS=150
TARGET_INGEST_RPS=2000

die() {
  echo "runs.sh: $*" >&2
  exit 1
}

for tool in curl wrk python3; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' not found; install it (Debian/Ubuntu: sudo apt-get install -y $tool)"
done
[[ -x $server_bin ]] ||
  die "server binary not found or not executable: $server_bin (build it, or set AMARCORD_SERVER)"
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "RUNS must be a positive integer, got '$RUNS'"
if ! [[ $ATTRIBUTI =~ ^[1-9][0-9]*$ ]] || ((ATTRIBUTI < 6)); then
  die "ATTRIBUTI must be an integer of at least 6 (the ingest uses one of each kind), got '$ATTRIBUTI'"
fi
[[ $EVENTS =~ ^[0-9]+$ ]] || die "EVENTS must be a non-negative integer, got '$EVENTS'"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive number of seconds, got '$DURATION'"
[[ -n $FILTER ]] || die "FILTER must not be empty"

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
work=$(mktemp -d "${TMPDIR:-/tmp}/amarcord-bench-runs.XXXXXX")
# shellcheck source=bench/lib/server.sh
source bench/lib/server.sh
cleanup_on_exit

# --- 1. the server and the data ---------------------------------------------------

start_server

echo "generating 1 beamtime: $RUNS runs x $ATTRIBUTI attributi, $EVENTS events ..."
t0=$(date +%s%N)
bt=$(python3 bench/generate_beamtime.py "$base" --runs "$RUNS" --attributi "$ATTRIBUTI" \
  --events "$EVENTS") || die "bench/generate_beamtime.py failed"
t1=$(date +%s%N)
[[ $bt =~ ^[0-9]+$ ]] || die "bench/generate_beamtime.py printed '$bt', expected a beamtime id"
load_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
echo "generated beamtime $bt in $load_s s"

# --- 2. check the endpoints with curl -----------------------------------------------

# Fetches a path to a file, fails unless the answer is 200; prints the size.
fetch() {  # path out-file
  local code
  code=$(curl -sS -o "$2" -w '%{http_code}' "$base$1") || die "GET $1 failed"
  [[ $code == 200 ]] || { head -c 500 "$2" >&2; echo >&2; die "GET $1 answered HTTP $code"; }
  wc -c <"$2"
}

# Prints "runs sample_id lysozyme_id string_0_id integer_1_id number_2_id
# boolean_3_id choice_4_id" from a run table answer: the run count and the ids
# the ingest script needs (bench/runs_ingest.lua).
describe_table() {  # json-file
  python3 - "$1" <<'PY'
import json, sys
t = json.load(open(sys.argv[1]))
by_name = {a["name"]: a["id"] for a in t["attributi"]}
chem = {c["name"]: c["id"] for c in t["chemicals"]}
names = ["sample", "string_0", "integer_1", "number_2", "boolean_3", "choice_4"]
missing = [n for n in names if n not in by_name] + [n for n in ["lysozyme"] if n not in chem]
if missing:
    sys.exit("missing in the run table: " + ", ".join(missing))
print(len(t["runs"]), by_name["sample"], chem["lysozyme"],
      *(by_name[n] for n in names[1:]))
PY
}

count_runs() {  # json-file
  python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))["runs"]))' "$1"
}

overview_path="/api/runs-overview/$bt"
table_path="/api/runs/$bt"
filter_q=$(python3 -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$FILTER")
filter_path="/api/runs/$bt?filter=$filter_q"

overview_bytes=$(fetch "$overview_path" "$work/overview.json")
python3 -c 'import json, sys; o = json.load(open(sys.argv[1])); assert "latest_run" in o, "no latest_run"' \
  "$work/overview.json" || die "GET $overview_path has no latest_run"
table_bytes=$(fetch "$table_path" "$work/table.json")
read -r table_runs sample_id chem_id string_id integer_id number_id boolean_id choice_id \
  < <(describe_table "$work/table.json") || die "unexpected run table (see above)"
[[ -n ${choice_id:-} ]] || die "could not read attributo ids from GET $table_path"
((table_runs == RUNS)) || die "expected $RUNS runs in GET $table_path, found $table_runs"
events_loaded=$(curl -fsS "$base/api/events/$bt" |
  python3 -c 'import json, sys; print(len(json.load(sys.stdin)["events"]))') ||
  die "GET /api/events/$bt failed"
((events_loaded == EVENTS)) || die "expected $EVENTS events in GET /api/events/$bt, found $events_loaded"
filter_bytes=$(fetch "$filter_path" "$work/filter.json")
filter_runs=$(count_runs "$work/filter.json")
((filter_runs > 0 && filter_runs < RUNS)) ||
  die "filter '$FILTER' selects $filter_runs of $RUNS runs; choose one that selects a proper subset"
echo "filter '$FILTER' selects $filter_runs of $RUNS runs"

# --- 3. and 4. wrk ------------------------------------------------------------------

# Prints "rps p50_ms p99_ms non2xx socket_errors requests socket_detail" from
# wrk's output. The latency unit is whatever wrk picked (us, ms, s; m for
# absurd values).
parse_wrk() {
  awk '
    function to_ms(v,   value, unit) {
      value = v + 0; unit = v; sub(/^[0-9.]+/, "", unit)
      if      (unit == "us") return value / 1000
      else if (unit == "ms") return value
      else if (unit == "s")  return value * 1000
      else if (unit == "m")  return value * 60000
      return -1
    }
    /^Requests\/sec:/            { rps = $2 }
    / requests in /              { requests = $1 }
    /Latency Distribution/       { in_dist = 1 }
    in_dist && $1 == "50%"       { p50 = $2 }
    in_dist && $1 == "99%"       { p99 = $2; in_dist = 0 }
    /Non-2xx or 3xx responses:/  { non2xx = $NF }
    /Socket errors:/ {
      # "Socket errors: connect 0, read 0, write 0, timeout 0"
      line = $0; gsub(",", "", line); split(line, f, " ")
      sock = f[4] + f[6] + f[8] + f[10]
      detail = sprintf("connect=%d,read=%d,write=%d,timeout=%d", f[4], f[6], f[8], f[10])
    }
    END {
      if (rps == "" || p50 == "" || p99 == "" || requests == "") { print "parse-error"; exit }
      if (to_ms(p50) < 0 || to_ms(p99) < 0) { print "parse-error"; exit }
      printf "%s %.2f %.2f %d %d %d %s\n", rps, to_ms(p50), to_ms(p99), non2xx + 0, sock + 0,
        requests, (detail == "" ? "-" : detail)
    }
  ' "$1"
}

# CPU time (user + system) the server has used so far, in clock ticks.
clk_tck=$(getconf CLK_TCK)
server_ticks() { awk '{ print $14 + $15 }' "/proc/$server_pid/stat"; }

# Waits until the server has been idle (at most 1 tick of CPU in 0.5 s). When
# wrk stops, requests still in flight keep the server busy, slow whole-table
# requests for seconds; without the wait they would land in the next
# measurement.
wait_idle() {
  local before after
  for _ in $(seq 1 120); do
    before=$(server_ticks)
    sleep 0.5
    after=$(server_ticks)
    ((after - before <= 1)) && return 0
  done
  die "server still busy 60 s after a wrk run"
}

# Runs wrk; the parsed result, "rps p50_ms p99_ms non2xx socket_errors
# requests cpu_ms_per_request socket_detail", goes to $work/<name>.result.
# cpu_ms_per_request is the server's CPU time during the run over the
# requests wrk completed: less sensitive to other load on the machine than
# the latencies (the few requests in flight when wrk stops make it a slight
# overestimate). Arguments after the path are wrk options; those after a
# "--" among them go to the Lua script (wrk wants them after the URL).
run_wrk() {  # name threads connections path [wrk-options...] [-- script-args...]
  local name=$1 threads=$2 connections=$3 path=$4
  shift 4
  local options=() script_args=()
  while (($#)); do
    if [[ $1 == -- ]]; then
      shift
      script_args=(-- "$@")
      break
    fi
    options+=("$1")
    shift
  done
  local out="$work/wrk-$name.txt" ticks_before ticks_after result
  wait_idle
  echo "$name: wrk -t$threads -c$connections -d${DURATION}s --latency ${options[*]}${options[*]:+ }$path ..."
  ticks_before=$(server_ticks)
  wrk -t"$threads" -c"$connections" -d"${DURATION}s" --timeout "$WRK_TIMEOUT" --latency \
    "${options[@]}" "$base$path" "${script_args[@]}" >"$out" ||
    { cat "$out" >&2; die "wrk failed for $path"; }
  ticks_after=$(server_ticks)
  result=$(parse_wrk "$out")
  [[ $result != parse-error ]] || { cat "$out" >&2; die "could not parse wrk output for $path"; }
  read -r rps p50 p99 non2xx sock requests detail <<<"$result"
  cpu_ms=$(awk -v t="$((ticks_after - ticks_before))" -v hz="$clk_tck" -v n="$requests" \
    'BEGIN { if (n > 0) printf "%.2f", t * 1000 / hz / n; else print "0" }')
  echo "$rps $p50 $p99 $non2xx $sock $requests $cpu_ms $detail" >"$work/$name.result"
}

run_wrk overview "$WRK_THREADS" "$WRK_CONNECTIONS" "$overview_path"
run_wrk overview1 1 1 "$overview_path"
run_wrk table "$WRK_THREADS" "$TABLE_CONNECTIONS" "$table_path"
run_wrk table1 1 1 "$table_path"
run_wrk filter "$WRK_THREADS" "$TABLE_CONNECTIONS" "$filter_path"

# Ingest last, so the read endpoints saw exactly RUNS runs.
curl -fsS -o "$work/before.json" "$base$table_path" || die "GET $table_path failed"
runs_before=$(count_runs "$work/before.json")
run_wrk ingest "$WRK_THREADS" "$WRK_CONNECTIONS" "/" -s bench/runs_ingest.lua -- \
  "$bt" "$sample_id" "$chem_id" "$string_id" "$integer_id" "$number_id" "$boolean_id" "$choice_id"
wait_idle
curl -fsS -o "$work/after.json" "$base$table_path" || die "GET $table_path failed after the ingest"
runs_after=$(count_runs "$work/after.json")
runs_added=$((runs_after - runs_before))

stop_server
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# --- 5. report ----------------------------------------------------------------------

read -r ov_rps ov_p50 ov_p99 ov_non2xx _ _ ov_cpu _ <"$work/overview.result"
read -r o1_rps o1_p50 o1_p99 o1_non2xx _ _ o1_cpu _ <"$work/overview1.result"
read -r tb_rps tb_p50 tb_p99 tb_non2xx _ _ tb_cpu _ <"$work/table.result"
read -r t1_rps t1_p50 t1_p99 t1_non2xx _ _ t1_cpu _ <"$work/table1.result"
read -r fl_rps fl_p50 fl_p99 fl_non2xx _ _ fl_cpu _ <"$work/filter.result"
read -r in_rps in_p50 in_p99 in_non2xx _ in_req in_cpu _ <"$work/ingest.result"

mbps() { awk -v b="$1" -v r="$2" 'BEGIN { printf "%.1f", b * r / 1e6 }'; }
kib() { echo "$(($1 / 1024)) KiB"; }
met() { awk -v v="$1" -v op="$2" -v t="$3" \
  'BEGIN { ok = (op == "<") ? (v < t) : (v > t); print ok ? "met" : "MISSED" }'; }

echo
echo "cores: $(nproc)   database: SQLite   beamtime: $RUNS runs x $ATTRIBUTI attributi, $EVENTS events" \
  "(generated in $load_s s)"
echo "load average before: $load_before   after: $load_after"
echo "filter: $FILTER   ($filter_runs of $RUNS runs)"
printf '%-38s %4s %10s %9s %9s %8s %8s %10s %11s\n' \
  "endpoint" "conn" "requests/s" "p50 ms" "p99 ms" "non-2xx" "MB/s" "response" "CPU ms/req"
row() {  # label conn rps p50 p99 non2xx mbps response cpu_ms
  printf '%-38s %4s %10.1f %9.2f %9.2f %8d %8s %10s %11s\n' "$@"
}
row "GET /api/runs-overview/{bt}" "$WRK_CONNECTIONS" "$ov_rps" "$ov_p50" "$ov_p99" "$ov_non2xx" "-" \
  "$(kib "$overview_bytes")" "$ov_cpu"
row "GET /api/runs-overview/{bt}" 1 "$o1_rps" "$o1_p50" "$o1_p99" "$o1_non2xx" "-" \
  "$(kib "$overview_bytes")" "$o1_cpu"
row "GET /api/runs/{bt} (whole table)" "$TABLE_CONNECTIONS" "$tb_rps" "$tb_p50" "$tb_p99" "$tb_non2xx" \
  "$(mbps "$table_bytes" "$tb_rps")" "$(kib "$table_bytes")" "$tb_cpu"
row "GET /api/runs/{bt} (whole table)" 1 "$t1_rps" "$t1_p50" "$t1_p99" "$t1_non2xx" \
  "$(mbps "$table_bytes" "$t1_rps")" "$(kib "$table_bytes")" "$t1_cpu"
row "GET /api/runs/{bt}?filter=..." "$TABLE_CONNECTIONS" "$fl_rps" "$fl_p50" "$fl_p99" "$fl_non2xx" "-" \
  "$(kib "$filter_bytes")" "$fl_cpu"
row "POST /api/runs/{externalId} (ingest)" "$WRK_CONNECTIONS" "$in_rps" "$in_p50" "$in_p99" "$in_non2xx" \
  "-" "-" "$in_cpu"
echo "wrk: -t$WRK_THREADS (-t1 for 1 connection) -d${DURATION}s --timeout $WRK_TIMEOUT   MB/s = 10^6 bytes/s"
echo "ingest: wrk reports $in_req requests; runs grew by $runs_added ($runs_before -> $runs_after)"
echo
echo "targets (issue 4)"
printf '%-58s %12s  %s\n' "overview p99 < $TARGET_OVERVIEW_P99_MS ms ($WRK_CONNECTIONS connections)" \
  "$ov_p99 ms" "$(met "$ov_p99" "<" "$TARGET_OVERVIEW_P99_MS")"
printf '%-58s %12s  %s\n' "  same, 1 connection" "$o1_p99 ms" "$(met "$o1_p99" "<" "$TARGET_OVERVIEW_P99_MS")"
printf '%-58s %12s  %s\n' "whole table < $TARGET_TABLE_MS ms per request (1 connection, p50)" \
  "$t1_p50 ms" "$(met "$t1_p50" "<" "$TARGET_TABLE_MS")"
printf '%-58s %12s  %s\n' "  same, p99 (1 connection)" "$t1_p99 ms" "$(met "$t1_p99" "<" "$TARGET_TABLE_MS")"
printf '%-58s %12s  %s\n' "  same, server CPU per request (1 connection)" "$t1_cpu ms" \
  "$(met "$t1_cpu" "<" "$TARGET_TABLE_MS")"
printf '%-58s %12s  %s\n' "  same, p50 with $TABLE_CONNECTIONS connections (for comparison)" \
  "$tb_p50 ms" "$(met "$tb_p50" "<" "$TARGET_TABLE_MS")"
printf '%-58s %12s  %s\n' "ingest > $TARGET_INGEST_RPS runs/s ($WRK_CONNECTIONS connections, SQLite)" \
  "$(printf '%.0f' "$in_rps")/s" "$(met "$in_rps" ">" "$TARGET_INGEST_RPS")"

failed=0
for name in overview overview1 table table1 filter ingest; do
  read -r _ _ _ non2xx sock _ _ sock_detail <"$work/$name.result"
  if ((non2xx > 0)); then
    echo "FAIL: $name: wrk reported $non2xx non-2xx/3xx responses" >&2
    failed=1
  fi
  if ((sock > 0)); then
    echo "FAIL: $name: wrk reported socket errors: $sock_detail" >&2
    failed=1
  fi
done
# Every completed request created a run; requests still in flight when wrk
# stopped (at most one per connection) may have created one more each.
if ((runs_added < in_req || runs_added > in_req + WRK_CONNECTIONS)); then
  echo "FAIL: ingest: runs grew by $runs_added, wrk reports $in_req requests" \
    "(expected $in_req to $((in_req + WRK_CONNECTIONS)))" >&2
  failed=1
fi

# With --log-level warn anything in the log is worth a look.
if [[ -s $work/server.log ]]; then
  echo
  echo "server log ($(wc -l <"$work/server.log") lines at warn level or above; first 20):"
  head -n 20 "$work/server.log"
fi

exit "$failed"

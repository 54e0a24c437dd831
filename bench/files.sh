#!/usr/bin/env bash
# File transfer benchmark: upload and download of one big file against the
# speed of reading it from the page cache, the server's peak memory, and
# GET /api/chemicals with 500 chemicals of 20 attributi each.
#
# Usage (from any directory):
#   bash bench/files.sh
#   SIZE=256 DURATION=10 AMARCORD_SERVER=build-bench/bin/amarcord-server bash bench/files.sh
#
#   SIZE             file size in MiB (default 1024)
#   DURATION         seconds of the wrk run (default 5)
#   CHEMICALS        chemicals loaded for the list benchmark (default 500)
#   AMARCORD_SERVER  server binary; a relative path is taken from the repo root
#                    (default build/bin/amarcord-server)
#
# Needs curl, wrk and sha256sum. On Debian/Ubuntu: sudo apt-get install -y curl wrk
# The script does not build the server; build it first, e.g.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release && cmake --build build --target amarcord-server
#
# What it does:
#  1. writes SIZE MiB of random data to a temp dir and times `cat file >
#     /dev/null` after a first read, so the file comes from the page cache:
#     that is the ceiling for moving these bytes on this machine;
#  2. starts the server on a fresh SQLite database in the temp dir and, with
#     curl, uploads the file raw (`--upload-file`, POST /api/files/simple/bin)
#     and as multipart/form-data (`-F file=@…`, POST /api/files), then
#     downloads it (GET /api/files/{id}) to /dev/null;
#  3. reads the server's peak resident memory (VmHWM) after the transfers; the
#     server streams files, so it should not grow with SIZE;
#  4. creates 20 chemical attributi of mixed types and CHEMICALS chemicals with
#     a value for each, and runs wrk against GET /api/chemicals/{beamtime}.
# MB/s are 10^6 bytes per second of wall time as curl reports it (time_total:
# the upload figures include the server hashing the bytes and fsyncing the
# blob before it answers). Everything runs on one machine, so client and server
# compete for CPU and disk: compare the ratios to cat from one run.
#
# Exit status: non-zero if anything fails or wrk saw non-2xx/3xx responses
# (the table is printed first).

set -euo pipefail

# Work from the repo root so relative paths mean the same from any cwd.
cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd -P)

SIZE=${SIZE:-1024}
DURATION=${DURATION:-5}
CHEMICALS=${CHEMICALS:-500}
server_bin=${AMARCORD_SERVER:-build/bin/amarcord-server}
[[ $server_bin == /* ]] || server_bin="$repo_root/$server_bin"

# wrk settings; fixed so runs are comparable.
WRK_THREADS=2
WRK_CONNECTIONS=64
ATTRIBUTI=20

die() {
  echo "files.sh: $*" >&2
  exit 1
}

for tool in curl wrk sha256sum; do
  command -v "$tool" >/dev/null 2>&1 ||
    die "'$tool' not found; install it (Debian/Ubuntu: sudo apt-get install -y $tool)"
done
[[ -x $server_bin ]] ||
  die "server binary not found or not executable: $server_bin (build it, or set AMARCORD_SERVER)"
[[ $SIZE =~ ^[1-9][0-9]*$ ]] || die "SIZE must be a positive number of MiB, got '$SIZE'"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive number of seconds, got '$DURATION'"
[[ $CHEMICALS =~ ^[1-9][0-9]*$ ]] || die "CHEMICALS must be a positive integer, got '$CHEMICALS'"

bytes=$((SIZE * 1024 * 1024))
work=$(mktemp -d "${TMPDIR:-/tmp}/amarcord-bench-files.XXXXXX")
# shellcheck source=bench/lib/server.sh
source bench/lib/server.sh
cleanup_on_exit

now_ns() { date +%s%N; }
# MB/s (10^6 bytes/s) for a byte count and seconds.
mbps() { awk -v b="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", b / s / 1e6; else print "inf" }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
json_id() { sed -nE 's/^\{"id":([0-9]+)[,}].*/\1/p' "$1"; }

# --- 1. the file and cat -----------------------------------------------------

file="$work/random.bin"
echo "writing $SIZE MiB of random data to $file ..."
head -c "$bytes" /dev/urandom >"$file"
file_sha=$(sha256sum "$file" | cut -d' ' -f1)

# The first read (sha256sum above, and this cat) puts the file in the page
# cache; the second cat is the one timed.
cat "$file" >/dev/null
t0=$(now_ns)
cat "$file" >/dev/null
t1=$(now_ns)
cat_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
cat_mbps=$(mbps "$bytes" "$cat_s")

# --- 2. the server and the transfers ------------------------------------------

# The upload limit is raised above SIZE (the multipart body is a little
# larger than the file).
start_server --max-upload-size "$((SIZE + 64))MiB"

# Runs curl, prints "http_code time_total"; the body goes to $1.
timed_curl() {  # out-file curl-args...
  local out=$1
  shift
  curl -sS -o "$out" -w '%{http_code} %{time_total}\n' "$@"
}

# Checks an upload answer: 200, the full size; prints the file id.
check_upload() {  # name code-and-time answer-file
  local code=${2%% *}
  [[ $code == 200 ]] || { cat "$3" >&2; die "$1 answered HTTP $code"; }
  grep -q "\"size_in_bytes\":$bytes," "$3" || { cat "$3" >&2; die "$1: wrong size_in_bytes"; }
  json_id "$3"
}

# curl's --data-binary @file reads the whole file into memory first and fails
# with "out of memory" at 1 GiB; --upload-file streams it (with a
# Content-Length), and -X POST keeps the method.
echo "POST /api/files/simple/bin (curl --upload-file -X POST) ..."
raw_result=$(timed_curl "$work/up-raw.json" -H 'Content-Type: application/octet-stream' \
  -X POST --upload-file "$file" "$base/api/files/simple/bin")
raw_id=$(check_upload "POST /api/files/simple/bin" "$raw_result" "$work/up-raw.json")
raw_s=${raw_result#* }

echo "POST /api/files (curl -F, multipart/form-data) ..."
mp_result=$(timed_curl "$work/up-mp.json" -F "file=@$file;filename=random.bin" \
  -F description=benchmark -F deduplicate=False "$base/api/files")
mp_id=$(check_upload "POST /api/files" "$mp_result" "$work/up-mp.json")
mp_s=${mp_result#* }

# The server hashed what it received; its ETag must be the file's SHA-256.
etag=$(curl -fsS -I "$base/api/files/$raw_id" | tr -d '\r' | sed -nE 's/^[Ee][Tt][Aa][Gg]: "([0-9a-f]+)"$/\1/p')
[[ $etag == "$file_sha" ]] || die "ETag of the raw upload is '$etag', expected $file_sha"
etag=$(curl -fsS -I "$base/api/files/$mp_id" | tr -d '\r' | sed -nE 's/^[Ee][Tt][Aa][Gg]: "([0-9a-f]+)"$/\1/p')
[[ $etag == "$file_sha" ]] || die "ETag of the multipart upload is '$etag', expected $file_sha"

echo "GET /api/files/$raw_id (curl -o /dev/null) ..."
down_result=$(curl -sS -o /dev/null -w '%{http_code} %{time_total} %{size_download}\n' \
  "$base/api/files/$raw_id")
read -r down_code down_s down_size <<<"$down_result"
[[ $down_code == 200 ]] || die "GET /api/files/$raw_id answered HTTP $down_code"
((down_size == bytes)) || die "downloaded $down_size bytes, expected $bytes"

raw_s=$(printf '%.3f' "$raw_s")
mp_s=$(printf '%.3f' "$mp_s")
down_s=$(printf '%.3f' "$down_s")
raw_mbps=$(mbps "$bytes" "$raw_s")
mp_mbps=$(mbps "$bytes" "$mp_s")
down_mbps=$(mbps "$bytes" "$down_s")

# --- 3. peak memory -----------------------------------------------------------

hwm_kib=$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status")
[[ -n $hwm_kib ]] || die "cannot read VmHWM of the server (pid $server_pid)"

# --- 4. GET /api/chemicals with CHEMICALS x 20 values -----------------------------

echo "loading $ATTRIBUTI chemical attributi and $CHEMICALS chemicals ..."
post_json() {  # path body answer-file
  local code
  code=$(curl -sS -o "$3" -w '%{http_code}' -H 'Content-Type: application/json' -d "$2" "$base$1")
  [[ $code == 200 ]] || { cat "$3" >&2; die "POST $1 answered HTTP $code"; }
}
post_json /api/beamtimes '{"id":0,"external_id":"bench-files","beamline":"P11","proposal":"p","title":"t","comment":"c","start_local":1700000000000,"end_local":1700003600000,"analysis_output_path":"/tmp"}' "$work/bt.json"
bt=$(json_id "$work/bt.json")
[[ -n $bt ]] || die "no beamtime id in $(cat "$work/bt.json")"

# Five kinds in turn: string, integer, number with a unit, boolean, choice.
values=""
for i in $(seq 1 "$ATTRIBUTI"); do
  case $((i % 5)) in
    1) type='"attributo_type_string":{"type":"string"}'
       value='"attributo_value_str":"some text value '$i'"' ;;
    2) type='"attributo_type_integer":{"type":"integer"}'
       value='"attributo_value_int":'$((i * 1000 + 7)) ;;
    3) type='"attributo_type_number":{"type":"number","suffix":"mm","format":"standard-unit"}'
       value='"attributo_value_float":'$i'.25' ;;
    4) type='"attributo_type_boolean":{"type":"boolean"}'
       value='"attributo_value_bool":true' ;;
    0) type='"attributo_type_string":{"type":"string","enum":["small","medium","large"]}'
       value='"attributo_value_str":"medium"' ;;
  esac
  post_json /api/attributi \
    '{"beamtime_id":'"$bt"',"name":"attr'"$i"'","description":"benchmark attributo","group":"manual","associated_table":"chemical",'"$type"'}' \
    "$work/attr.json"
  id=$(json_id "$work/attr.json")
  [[ -n $id ]] || die "no attributo id in $(cat "$work/attr.json")"
  values+="${values:+,}{\"attributo_id\":$id,$value}"
done

# One curl per chemical, 4 at a time; names are made unique.
seq 1 "$CHEMICALS" | xargs -P 4 -I '@I@' curl -fsS -o /dev/null \
  -H 'Content-Type: application/json' \
  -d '{"beamtime_id":'"$bt"',"name":"chemical-@I@","responsible_person":"bench","chemical_type":"crystal","attributi":['"$values"'],"file_ids":[]}' \
  "$base/api/chemicals" ||
  die "loading chemicals failed"

# Check the list really holds what we loaded.
curl -fsS -o "$work/chemicals.json" "$base/api/chemicals/$bt"
loaded=$(grep -o '"responsible_person":' "$work/chemicals.json" | wc -l)
loaded_values=$(grep -o '"attributo_id":' "$work/chemicals.json" | wc -l)
((loaded == CHEMICALS)) || die "expected $CHEMICALS chemicals in GET /api/chemicals/$bt, found $loaded"
((loaded_values == CHEMICALS * ATTRIBUTI)) ||
  die "expected $((CHEMICALS * ATTRIBUTI)) values in GET /api/chemicals/$bt, found $loaded_values"
list_kib=$(($(wc -c <"$work/chemicals.json") / 1024))

# Prints "rps p99_ms non2xx socket_errors socket_detail" from wrk's output
# (as in bench/beamtimes.sh).
parse_wrk() {
  awk '
    /^Requests\/sec:/            { rps = $2 }
    /Latency Distribution/       { in_dist = 1 }
    in_dist && $1 == "99%"       { p99 = $2; in_dist = 0 }
    /Non-2xx or 3xx responses:/  { non2xx = $NF }
    /Socket errors:/ {
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

echo "wrk -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s --latency GET /api/chemicals/$bt ..."
wrk -t"$WRK_THREADS" -c"$WRK_CONNECTIONS" -d"${DURATION}s" --latency "$base/api/chemicals/$bt" \
  >"$work/wrk.txt" || { cat "$work/wrk.txt" >&2; die "wrk failed"; }
wrk_result=$(parse_wrk "$work/wrk.txt")
[[ $wrk_result != parse-error ]] || { cat "$work/wrk.txt" >&2; die "could not parse wrk output"; }
read -r ch_rps ch_p99 ch_non2xx ch_sock ch_sock_detail <<<"$wrk_result"

stop_server

# --- report -------------------------------------------------------------------

echo
echo "cores: $(nproc)   file: $SIZE MiB of random data   database: SQLite   MB/s = 10^6 bytes/s"
printf '%-46s %10s %10s %10s\n' "measurement" "MB/s" "seconds" "vs cat"
printf '%-46s %10s %10s %10s\n' "cat file > /dev/null (page cache warm)" "$cat_mbps" "$cat_s" "1.00"
printf '%-46s %10s %10s %10s\n' "upload POST /api/files/simple/bin (raw)" "$raw_mbps" "$raw_s" \
  "$(ratio "$raw_mbps" "$cat_mbps")"
printf '%-46s %10s %10s %10s\n' "upload POST /api/files (multipart)" "$mp_mbps" "$mp_s" \
  "$(ratio "$mp_mbps" "$cat_mbps")"
printf '%-46s %10s %10s %10s\n' "download GET /api/files/{id}" "$down_mbps" "$down_s" \
  "$(ratio "$down_mbps" "$cat_mbps")"
printf '%-46s %10s\n' "server peak RSS after transfers (VmHWM)" "$((hwm_kib / 1024)) MiB"
printf '%-46s %10s %10s %10s\n' "GET /api/chemicals/{bt}" "req/s" "p99 ms" "non-2xx"
printf '%-46s %10.0f %10.2f %10d\n' "  $CHEMICALS chemicals x $ATTRIBUTI values (${list_kib} KiB)" \
  "$ch_rps" "$ch_p99" "$ch_non2xx"
echo "wrk: -t$WRK_THREADS -c$WRK_CONNECTIONS -d${DURATION}s"

((ch_sock == 0)) || echo "note: socket errors on /api/chemicals: $ch_sock_detail"

# With --log-level warn anything in the log is worth a look.
if [[ -s $work/server.log ]]; then
  echo
  echo "server log ($(wc -l <"$work/server.log") lines at warn level or above; first 20):"
  head -n 20 "$work/server.log"
fi

if ((ch_non2xx > 0)); then
  echo "FAIL: wrk reported non-2xx/3xx responses" >&2
  exit 1
fi

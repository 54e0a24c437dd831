#!/usr/bin/env bash
# Grabber benchmark: CPU per frame of amarcord-grabber against ffmpeg on the
# same 1920x1080 MJPEG stream (issue 5 part 8).
#
# Usage (from any directory):
#   bash bench/grabber.sh
#   DURATION=20 AMARCORD_GRABBER=build-camera/bin/amarcord-grabber \
#     FAKE_CAMERA=build-camera/bin/fake-camera bash bench/grabber.sh
#
#   DURATION          seconds each reader runs (default 10)
#   WIDTH, HEIGHT     frame size (default 1920x1080)
#   NOISE             texture amplitude of the camera's frames, 0-255; more
#                     texture means larger JPEGs (default 8: about 300 KB)
#   FPS_LIST          camera rates to measure, 0 = as fast as the reader
#                     takes them (default "0 60")
#   AMARCORD_GRABBER  grabber binary (default build/bin/amarcord-grabber)
#   FAKE_CAMERA       fake camera tool (default build/bin/fake-camera)
#   Relative paths are taken from the repo root.
#
# Needs GNU time (/usr/bin/time; Debian package `time`) and pgrep (procps).
# ffmpeg is optional: without it the comparison is skipped with a message.
# Install it on Debian/Ubuntu with: sudo apt-get install -y ffmpeg
# The script builds nothing; build the two targets first, e.g.
#   cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release
#   cmake --build build --target amarcord-grabber fake-camera
#
# What it does, for each camera rate: starts `fake-camera` on a free port,
# then runs one reader at a time on that stream for DURATION seconds under
# /usr/bin/time and stops it with SIGTERM:
#   - amarcord-grabber with --verify markers and decode, each with
#     --interval 0 (write every frame) and 1 (the default: parse every frame,
#     write one a second), writing into a temp data dir;
#   - ffmpeg -i URL -update 1 -y out.jpg (decodes and re-encodes every frame);
#   - ffmpeg -i URL -c:v copy -update 1 -y out.jpg (writes the bytes as they
#     came: the closest ffmpeg gets to the grabber's markers mode).
# Frames come from the grabber's status file (frames_ok, final write on
# SIGTERM) and from ffmpeg's -progress output; CPU is user+system time of
# the reader alone. The table shows frames/s, CPU seconds per 1,000 frames,
# and ffmpeg's CPU per frame divided by each grabber row's (goal: >= 10 for
# markers mode). Readers and camera share the machine's cores, so compare
# ratios from one run, not absolute numbers across machines.
#
# Exit status: non-zero if a reader fails or the grabber parses no frame.

set -euo pipefail

cd -- "$(dirname -- "${BASH_SOURCE[0]}")/.."
repo_root=$(pwd -P)

DURATION=${DURATION:-10}
WIDTH=${WIDTH:-1920}
HEIGHT=${HEIGHT:-1080}
NOISE=${NOISE:-8}
FPS_LIST=${FPS_LIST:-"0 60"}
grabber_bin=${AMARCORD_GRABBER:-build/bin/amarcord-grabber}
camera_bin=${FAKE_CAMERA:-build/bin/fake-camera}
[[ $grabber_bin == /* ]] || grabber_bin="$repo_root/$grabber_bin"
[[ $camera_bin == /* ]] || camera_bin="$repo_root/$camera_bin"

die() {
  echo "grabber.sh: $*" >&2
  exit 1
}

[[ -x /usr/bin/time ]] || die "/usr/bin/time not found (Debian/Ubuntu: sudo apt-get install -y time)"
command -v pgrep >/dev/null 2>&1 || die "pgrep not found (Debian/Ubuntu: sudo apt-get install -y procps)"
[[ -x $grabber_bin ]] || die "grabber not found: $grabber_bin (build it, or set AMARCORD_GRABBER)"
[[ -x $camera_bin ]] || die "fake camera not found: $camera_bin (build it, or set FAKE_CAMERA)"
[[ $DURATION =~ ^[1-9][0-9]*$ ]] || die "DURATION must be a positive number of seconds, got '$DURATION'"
have_ffmpeg=1
command -v ffmpeg >/dev/null 2>&1 || have_ffmpeg=0

work=$(mktemp -d "${TMPDIR:-/tmp}/amarcord-grabber-bench.XXXXXX")
camera_pid=""

stop_camera() {
  [[ -n $camera_pid ]] || return 0
  kill -TERM "$camera_pid" 2>/dev/null || true
  wait "$camera_pid" 2>/dev/null || true
  camera_pid=""
}
cleanup() {
  stop_camera
  rm -rf -- "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Runs "$@" under /usr/bin/time for DURATION seconds, then SIGTERMs it (the
# reader, not time) and waits. Leaves "user sys elapsed" in $work/<name>.time
# and the reader's exit status in $measured_status.
measured_status=0
measure() {  # name command...
  local name=$1
  shift
  /usr/bin/time -f "%U %S %e" -o "$work/$name.time" "$@" >"$work/$name.log" 2>&1 &
  local time_pid=$! child=""
  sleep "$DURATION"
  child=$(pgrep -P "$time_pid" || true)
  [[ -n $child ]] || { cat "$work/$name.log" >&2; die "$name exited before the end of the run"; }
  kill -TERM "$child"
  measured_status=0
  wait "$time_pid" || measured_status=$?
  # GNU time adds a line about the status to its output file; keep the numbers.
  tail -n 1 "$work/$name.time" >"$work/$name.time.1" && mv "$work/$name.time.1" "$work/$name.time"
}

json_int() {  # file field
  sed -n "s/.*\"$2\": *\([0-9][0-9]*\).*/\1/p" "$1" | tail -n 1
}

rows=()  # "fps|reader|frames|user|sys|elapsed"

run_grabber() {  # fps url verify interval
  local name="grabber-$1-$3-$4"
  rm -rf "$work/data"
  measure "$name" "$grabber_bin" --stream-url "$2" --beamtime-id 1 --data-dir "$work/data" \
    --status-file "$work/$name.status" --verify "$3" --interval "$4" --log-level warn
  ((measured_status == 0)) ||
    { cat "$work/$name.log" >&2; die "$name exited with status $measured_status on SIGTERM"; }
  local frames
  frames=$(json_int "$work/$name.status" frames_ok)
  [[ -n $frames && $frames -gt 0 ]] || { cat "$work/$name.log" >&2; die "$name parsed no frame"; }
  rows+=("$1|grabber --verify $3 --interval $4|$frames|$(<"$work/$name.time")")
}

run_ffmpeg() {  # fps url label extra-args...
  local fps=$1 url=$2 label=$3 name="ffmpeg-$1-${3// /}"
  shift 3
  # -f mpjpeg: without it ffmpeg probes the stream first (it finds mpjpeg
  # too); -fps_mode passthrough: one output image per input frame.
  measure "$name" ffmpeg -hide_banner -nostdin -loglevel error -nostats \
    -progress "$work/$name.progress" -f mpjpeg -i "$url" "$@" -fps_mode passthrough \
    -update 1 -y "$work/$name.jpg"
  # ffmpeg ends with status 255 when stopped by a signal; judge it by its frames.
  local frames
  frames=$(sed -n 's/^frame=\([0-9]*\)$/\1/p' "$work/$name.progress" | tail -n 1)
  [[ -n $frames && $frames -gt 0 ]] || { cat "$work/$name.log" >&2; die "$name read no frame"; }
  rows+=("$fps|$label|$frames|$(<"$work/$name.time")")
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
frame_bytes=""
for fps in $FPS_LIST; do
  [[ $fps =~ ^[0-9]+$ ]] || die "FPS_LIST must hold whole numbers, got '$fps'"
  rm -f "$work/port"
  "$camera_bin" --width "$WIDTH" --height "$HEIGHT" --frames 3 --noise "$NOISE" --fps "$fps" \
    --port-file "$work/port" >"$work/camera.out" 2>"$work/camera.err" &
  camera_pid=$!
  for _ in $(seq 1 200); do
    [[ -s $work/port ]] && break
    kill -0 "$camera_pid" 2>/dev/null || { cat "$work/camera.err" >&2; die "fake-camera exited"; }
    sleep 0.05
  done
  [[ -s $work/port ]] || die "fake-camera did not start within 10 s"
  url="http://127.0.0.1:$(<"$work/port")/stream"
  frame_bytes=$(sed -n 's/.*frames of \([0-9]*\) bytes.*/\1/p' "$work/camera.err")
  echo "camera at ${fps} fps (0 = as fast as read): $url"

  for verify in markers decode; do
    for interval in 0 1; do
      echo "  grabber --verify $verify --interval $interval (${DURATION} s)"
      run_grabber "$fps" "$url" "$verify" "$interval"
    done
  done
  if ((have_ffmpeg)); then
    echo "  ffmpeg, decode + re-encode (${DURATION} s)"
    run_ffmpeg "$fps" "$url" "ffmpeg -update 1 out.jpg"
    echo "  ffmpeg, -c:v copy (${DURATION} s)"
    run_ffmpeg "$fps" "$url" "ffmpeg -c:v copy -update 1" -c:v copy
  fi
  stop_camera
done

# --- report ----------------------------------------------------------------

echo
echo "cores: $(nproc)   frames: ${WIDTH}x${HEIGHT} JPEG, ${frame_bytes} bytes on average" \
  "  ${DURATION} s per reader   CPU = user + system of the reader"
echo "load average before: $load_before   after: $(cut -d' ' -f1-3 /proc/loadavg)" \
  "  (other load slows the readers; CPU per frame is the figure to compare)"
((have_ffmpeg)) ||
  echo "ffmpeg not found: comparison skipped (install it: sudo apt-get install -y ffmpeg)"
printf '%-7s %-34s %8s %9s %8s %14s %10s %10s\n' "camera" "reader" "frames" "frames/s" \
  "CPU s" "CPU s/1000 fr" "ffmpeg/x" "copy/x"
report=$(printf '%s\n' "${rows[@]}" | awk -F'|' '
  {
    split($4, t, " ")
    fps[NR] = $1; reader[NR] = $2; frames[NR] = $3
    cpu[NR] = t[1] + t[2]; elapsed[NR] = t[3]
    per[NR] = frames[NR] > 0 ? cpu[NR] / frames[NR] : 0
    if ($2 == "ffmpeg -update 1 out.jpg") { ff[$1] = per[NR]; nff++ }
    if ($2 == "ffmpeg -c:v copy -update 1") cp[$1] = per[NR]
  }
  END {
    goal = "met"
    for (i = 1; i <= NR; i++) {
      cam = fps[i] == 0 ? "max" : fps[i] " fps"
      r1 = "-"; r2 = "-"
      if (reader[i] ~ /^grabber/ && per[i] > 0) {
        if (fps[i] in ff) r1 = sprintf("%.1fx", ff[fps[i]] / per[i])
        if (fps[i] in cp) r2 = sprintf("%.1fx", cp[fps[i]] / per[i])
        if (reader[i] ~ /markers/ && (fps[i] in ff) && ff[fps[i]] / per[i] < 10) goal = "NOT met"
      }
      printf "%-7s %-34s %8d %9.1f %8.2f %14.3f %10s %10s\n", cam, reader[i], frames[i],
             (elapsed[i] > 0 ? frames[i] / elapsed[i] : 0), cpu[i], per[i] * 1000, r1, r2
    }
    if (nff > 0)
      printf "goal: ffmpeg CPU/frame >= 10x the grabber (markers mode): %s\n", goal
  }')
echo "$report"

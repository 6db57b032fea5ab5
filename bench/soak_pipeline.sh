#!/usr/bin/env bash
# Soak test: runs the full vigil pipeline on vtest.avi replayed forever and watches the
# process's resident memory, to catch the "memory grows over days" kind of leak in
# minutes. Prints a table (time, frames, RSS), the RSS growth per hour from a
# least-squares line over the second half of the run (after warm-up: the engine's
# primitives, the allocator's arenas and GStreamer's buffer pools settle in the first
# minute), and a verdict.
#
#   bench/soak_pipeline.sh [DURATION]
#     DURATION        seconds to run (default 240)
#   Environment:
#     VIGIL_BUILD_DIR build tree whose plugins/ holds libgstvigil.so (default build/)
#     VIGIL_HOME      vtest.avi and models (default ~/.cache/vigil)
#     INTERVAL        vigildetect interval (default 3)
#     PERIOD          seconds between RSS samples (default 10)
#     LIMIT_MB_PER_H  growth above which the verdict is "grows" (default 5)
#     MALLOC_ARENA_MAX passed through to glibc (compare a run with 2 against the default)
#     OUT             folder for the JSON lines and the gst-launch log (default a temp dir)
#
# Frames are counted from vigiljsonsink's per-frame object records (objects=true): one
# line per frame that went through detect, track and analytics, so the count is what the
# pipeline finished, not what was decoded.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../pipelines/common.sh"
duration=${1:-240}
interval=${INTERVAL:-3}
period=${PERIOD:-10}
limit=${LIMIT_MB_PER_H:-5}
rules=$vigil_repo/pipelines/demo-rules.json
video=$vigil_home/vtest.avi
out=${OUT:-$(mktemp -d /tmp/vigil-soak.XXXXXX)}
mkdir -p "$out"
jsonl=$out/soak.jsonl
log=$out/gst-launch.log
for element in vigilcamsrc vigildetect vigiltrack vigilanalytics vigiljsonsink vigiloverlay; do
  vigil_require "$element"
done
if [ ! -r "$video" ]; then
  echo "soak_pipeline: no $video (set VIGIL_HOME)" >&2
  exit 2
fi

# The overlay draws on every frame (boxes, trails, zones) so its per-frame allocations
# are exercised; fakesink sync=false keeps the pipeline as fast as the detector.
gst-launch-1.0 -e \
  vigilcamsrc uri="file://$video" loop=true is-live=false ! video/x-raw,format=I420 ! \
  vigildetect interval="$interval" ! vigiltrack ! \
  vigilanalytics rules="$rules" camera-id=soak ! tee name=t \
  t. ! queue ! vigiljsonsink location="$jsonl" objects=true \
  t. ! queue ! vigiloverlay rules="$rules" ! fakesink sync=false \
  >"$log" 2>&1 &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' EXIT

# rss_mb: VmRSS of the pipeline process in MB, empty once it has gone.
rss_mb() {
  awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || true
}
# threads: the pipeline's thread count; vigilcamsrc builds a new connection (and so new
# streaming threads) at each pass over the file, and new threads can get new malloc arenas.
threads() {
  awk '/^Threads:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true
}
frames() {
  if [ -f "$jsonl" ]; then
    grep -c '"vigil.objects.v1"' "$jsonl" || true
  else
    echo 0
  fi
}

echo "soak_pipeline: $duration s, vigildetect interval=$interval, sample every $period s, pid $pid"
echo "output: $out"
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
echo
samples=$out/samples.tsv
: >"$samples"
start=$(date +%s.%N)
printf '| t s | frames | frames/s | threads | RSS MB |\n|---:|---:|---:|---:|---:|\n'
prev_t=0
prev_f=0
t=0
while :; do
  now=$(date +%s.%N)
  t=$(awk -v a="$start" -v b="$now" 'BEGIN { printf "%.0f", b - a }')
  rss=$(rss_mb)
  if [ -z "$rss" ]; then
    echo "soak_pipeline: the pipeline exited early; its log:" >&2
    tail -20 "$log" >&2
    trap - EXIT
    exit 1
  fi
  f=$(frames)
  th=$(threads)
  fps=$(awk -v f="$f" -v pf="$prev_f" -v t="$t" -v pt="$prev_t" \
    'BEGIN { if (t > pt) printf "%.1f", (f - pf) / (t - pt); else print "-" }')
  printf '| %s | %s | %s | %s | %s |\n' "$t" "$f" "$fps" "$th" "$rss"
  printf '%s\t%s\t%s\n' "$t" "$f" "$rss" >>"$samples"
  prev_t=$t
  prev_f=$f
  if [ "$t" -ge "$duration" ]; then
    break
  fi
  sleep "$period"
done

kill -INT "$pid" 2>/dev/null || true
trap - EXIT
wait "$pid" || true
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

# Least squares over the samples at or after half the run: slope in MB/s -> MB/h, and
# R^2 to tell a steady climb from noise. A leak keeps climbing to the end; glibc's malloc
# arenas (one per thread that wants one, up to 8 per core) make RSS rise in steps and then
# stay, so the last quarter is fitted on its own before calling it a leak.
awk -v half="$((duration / 2))" -v quarter="$((duration * 3 / 4))" -v limit="$limit" -F'\t' '
  function fit(n, sx, sy, sxx, sxy, syy,   d, vy) {
    d = n * sxx - sx * sx
    slope = d > 0 ? (n * sxy - sx * sy) / d * 3600 : 0
    if (slope > -0.05 && slope < 0.05) slope = 0
    vy = n * syy - sy * sy
    r2 = d > 0 && vy > 0 ? (n * sxy - sx * sy) ^ 2 / (d * vy) : 0
  }
  $1 >= half { n++; sx += $1; sy += $3; sxx += $1 * $1; sxy += $1 * $3; syy += $3 * $3 }
  $1 >= quarter { m++; qx += $1; qy += $3; qxx += $1 * $1; qxy += $1 * $3; qyy += $3 * $3 }
  END {
    if (n < 3 || m < 3) { print "verdict: too few samples after warm-up for a fit"; exit 0 }
    fit(m, qx, qy, qxx, qxy, qyy)
    last = slope
    fit(n, sx, sy, sxx, sxy, syy)
    printf "RSS growth over the second half (%d samples, t >= %d s): %+.1f MB/h (R^2 %.2f); last quarter: %+.1f MB/h\n",
      n, half, slope, r2, last
    if (slope > limit && r2 > 0.5 && last > limit)
      printf "verdict: RSS GROWS steadily (%+.1f MB/h > %s MB/h, still rising at the end): look for a leak\n", slope, limit
    else if (slope > limit)
      printf "verdict: RSS rose in a step but is flat over the last quarter: typical of malloc arenas, not of a leak; run longer, or with MALLOC_ARENA_MAX=2, to tell\n"
    else
      printf "verdict: RSS flat (%+.1f MB/h, limit %s MB/h)\n", slope, limit
  }' "$samples"

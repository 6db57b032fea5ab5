#!/usr/bin/env bash
# The vigil demo on real footage, end to end: installs what is missing, builds, fetches
# the pretrained detector and vtest.avi (a campus plaza, 795 frames at 10 fps), starts a
# local Kafka (`vigil broker`, librdkafka's mock cluster) and runs the clip through
#
#   filesrc ! decodebin ! vigildetect ! vigiltrack ! vigilanalytics (pipelines/demo-rules.json)
#     ! tee -> vigilkafkasink (topic vigil-demo, disk spool)
#           -> vigiljsonsink (alerts.jsonl)
#           -> vigiloverlay ! x264enc ! mp4mux (annotated.mp4)
#
# then reads the alerts back from Kafka with kcat and summarises them. It leaves, in
# ${VIGIL_DEMO_OUT:-out/demo}:
#   annotated.mp4    the footage with tracked objects, trails, zones, lines and alerts
#   alerts.jsonl     every alert JSON (what Kafka received, in order)
#   gst-launch.log   the pipeline's output
# Options: --model nanodet|centernet|FILE, --interval N (detect in every Nth frame),
# --threads N, --rules FILE. Environment: VIGIL_BUILD_DIR (default build), VIGIL_HOME.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
start=$(date +%s)
out=${VIGIL_DEMO_OUT:-out/demo}
build=$(realpath -m "${VIGIL_BUILD_DIR:-build}")
home=${VIGIL_HOME:-$HOME/.cache/vigil}
model=nanodet
interval=1
threads=0
rules=pipelines/demo-rules.json
topic=vigil-demo
while [ $# -gt 0 ]; do
  case "$1" in
    --model) model=$2; shift 2 ;;
    --interval) interval=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --rules) rules=$2; shift 2 ;;
    *) echo "usage: scripts/demo.sh [--model M] [--interval N] [--threads N] [--rules FILE]" >&2
       exit 2 ;;
  esac
done

bash scripts/install-deps.sh
if [ ! -f "$build/CMakeCache.txt" ]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j"$(nproc)" --target vigil gstvigil >/dev/null
VIGIL_BIN="$build/cli/vigil" bash scripts/fetch-assets.sh

VIGIL_BUILD_DIR=$build
source pipelines/common.sh
for element in vigildetect vigiltrack vigilanalytics vigilkafkasink vigiljsonsink vigiloverlay \
               x264enc mp4mux; do
  vigil_require "$element"
done

mkdir -p "$out"
rm -rf "$out/spool" "$out/annotated.mp4" "$out/alerts.jsonl"

# A local Kafka for the demo: its first line on stdout is the bootstrap address.
"$build/cli/vigil" broker </dev/null >"$out/broker.out" 2>"$out/broker.err" &
broker_pid=$!
trap 'kill "$broker_pid" 2>/dev/null || true' EXIT
for _ in $(seq 100); do
  [ -s "$out/broker.out" ] && break
  sleep 0.1
done
brokers=$(head -n 1 "$out/broker.out")
[[ "$brokers" == 127.0.0.1:* ]] || { echo "demo: vigil broker did not start:"; cat "$out/broker.err"; exit 1; }
echo "demo: Kafka (vigil broker) at $brokers"

echo "demo: running $home/vtest.avi through the pipeline (model $model, interval $interval)"
# x264enc's zerolatency: with its default look-ahead the encoder holds dozens of frames
# before the first output, while the alert sinks hold theirs until the pipeline plays;
# the tee would wait for both (a preroll deadlock on files).
pipeline_start=$(date +%s%N)
if ! gst-launch-1.0 -e \
    filesrc location="$home/vtest.avi" ! decodebin ! videoconvert ! video/x-raw,format=I420 ! \
    vigildetect model="$model" interval="$interval" threads="$threads" ! \
    vigiltrack ! \
    vigilanalytics rules="$rules" ! tee name=t \
    t. ! queue ! vigilkafkasink brokers="$brokers" topic="$topic" spool-dir="$out/spool" \
    t. ! queue ! vigiljsonsink location="$out/alerts.jsonl" \
    t. ! queue ! vigiloverlay rules="$rules" ! \
      x264enc speed-preset=veryfast tune=zerolatency ! mp4mux ! \
      filesink location="$out/annotated.mp4" >"$out/gst-launch.log" 2>&1; then
  tail -n 20 "$out/gst-launch.log"
  echo "demo: the pipeline failed (log: $out/gst-launch.log)"
  exit 1
fi
pipeline_ms=$((($(date +%s%N) - pipeline_start) / 1000000))

echo "demo: alerts read back from Kafka (kcat -C -b $brokers -t $topic -e)"
timeout 60 kcat -C -b "$brokers" -t "$topic" -e -q -f '%k\t%s\n' >"$out/kafka.tsv"
/usr/bin/python3 - "$out/kafka.tsv" <<'PY'
import collections, json, sys
alerts = []
for line in open(sys.argv[1]):
    key, value = line.rstrip("\n").split("\t", 1)
    alerts.append((key, json.loads(value)))
alerts.sort(key=lambda ka: (ka[1]["frame"], ka[1]["alert_id"]))
by_type = collections.defaultdict(collections.Counter)
for _, a in alerts:
    by_type[a["type"]][a["event"]] += 1
print(f"  {len(alerts)} alerts on the topic, keys: {sorted({k for k, _ in alerts})}")
print(f"  {'type':15s} {'start':>6s} {'update':>7s} {'end':>5s} {'instant':>8s}")
for t, c in sorted(by_type.items()):
    print(f"  {t:15s} {c['start']:6d} {c['update']:7d} {c['end']:5d} {c['instant']:8d}")
print("  examples (first start or instant of each type):")
seen = set()
for _, a in alerts:
    if a["event"] in ("start", "instant") and a["type"] not in seen:
        seen.add(a["type"])
        objs = ", ".join(f"{o['label']} #{o['track_id']}" for o in a["objects"][:3])
        where = a.get("zone") or a.get("line") or ""
        print(f"    frame {a['frame']:4d} {a['timestamp']} {a['type']}/{a['event']} "
              f"rule={a['rule']} {where} [{objs}] {json.dumps(a['details'])}"
              f"{' +snapshot' if 'snapshot' in a else ''}")
PY
echo "demo: wrote $out/annotated.mp4 and $out/alerts.jsonl"
printf 'demo: the pipeline took %d.%d s for 795 frames; finished in %d s on this %d-core machine\n' \
  $((pipeline_ms / 1000)) $((pipeline_ms % 1000 / 100)) $(($(date +%s) - start)) "$(nproc)"

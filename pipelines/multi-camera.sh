#!/usr/bin/env bash
# Shows: several cameras in one pipeline sharing one detector. The vigildetect
# elements name the same model with the same options, so they share one loaded engine;
# with batch-size equal to the number of cameras, frames that arrive together go
# through the network as one batch (the gain is largest on a GPU). Each camera has its
# own tracker and its own annotated recording, camN.mp4.
#
#   pipelines/multi-camera.sh URI_OR_FILE [URI_OR_FILE ...]
#   OUT (default: .) is where cam1.mp4, cam2.mp4, ... go; RULES (default: the plaza's)
#   are drawn on every camera; FRAMES=N stops each camera after N frames; MODEL,
#   INTERVAL as in annotate-mp4.sh.
#   KAFKA=BROKERS also publishes each camera's alerts to TOPIC (default vigil.alerts)
#   with camera id camN. NOTE: that needs vigilanalytics and vigilkafkasink, which are
#   being built; until they are in the plugin, KAFKA= says so and exits 2.
#
#   pipelines/multi-camera.sh rtsp://cam1/stream rtsp://cam2/stream
#   FRAMES=50 pipelines/multi-camera.sh ~/.cache/vigil/vtest.avi ~/.cache/vigil/vtest.avi
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 1 ]; then
  sed -n '2,18p' "$0" >&2
  exit 1
fi
out=${OUT:-.}
rules=${RULES:-$vigil_repo/alerts/examples/plaza.json}
for element in vigilcamsrc vigildetect vigiltrack vigiloverlay x264enc mp4mux; do
  vigil_require "$element"
done
if [ -n "${KAFKA:-}" ]; then
  vigil_require vigilanalytics
  vigil_require vigilkafkasink
fi
mkdir -p "$out"

# Identical options on every vigildetect: that is what makes them share the engine.
detect="vigildetect model=${MODEL:-nanodet} interval=${INTERVAL:-1} batch-size=$# batch-timeout=20"
limit=""
if [ -n "${FRAMES:-}" ]; then
  limit="identity eos-after=$FRAMES !"
fi
branches=()
n=0
for input in "$@"; do
  n=$((n + 1))
  uri=$(vigil_uri "$input")
  record="vigiloverlay rules=$rules ! x264enc speed-preset=veryfast tune=zerolatency ! mp4mux ! filesink location=$out/cam$n.mp4"
  if [ -n "${KAFKA:-}" ]; then
    analytics="vigilanalytics rules=$rules camera-id=cam$n ! tee name=t$n ! queue ! vigilkafkasink brokers=$KAFKA topic=${TOPIC:-vigil.alerts} spool-dir=$vigil_home/spool/cam$n t$n. ! queue ! $record"
  else
    analytics=$record
  fi
  branches+=(vigilcamsrc uri="$uri" is-live="$(vigil_is_live "$uri")" ! video/x-raw,format=I420 !
    $limit $detect ! vigiltrack ! $analytics)
  echo "multi-camera: cam$n $uri -> $out/cam$n.mp4"
done
gst-launch-1.0 -e "${branches[@]}"

#!/usr/bin/env bash
# Shows: a live camera watched around the clock, its alerts published to Kafka. The
# camera may drop, reboot or freeze: vigilcamsrc reconnects with backoff and the rest
# of the pipeline keeps running (bus messages `vigil-camera` report online/offline,
# printed by -m). Detection runs on every second frame; the tracker predicts the
# frames in between, so tracks and alerts stay continuous.
#
#   pipelines/rtsp-to-kafka.sh URI [BROKERS] [TOPIC] [RULES]
#     URI      rtsp://user:password@host:554/stream (the password never appears in
#              logs or messages)
#     BROKERS  default 127.0.0.1:9092;  TOPIC default vigil.alerts
#     RULES    default alerts/examples/plaza.json (coordinates in the camera's pixels)
#   CAMERA_ID (default: the host of URI), INTERVAL (default 2), MODEL (nanodet).
#   SPOOL_DIR (default: $VIGIL_HOME/spool/<camera>) keeps every alert on disk until the
#   broker acknowledges it, so a broker outage or a crash loses nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
if [ $# -lt 1 ]; then
  sed -n '2,16p' "$0" >&2
  exit 1
fi
uri=$1
brokers=${2:-127.0.0.1:9092}
topic=${3:-vigil.alerts}
rules=${4:-$vigil_repo/alerts/examples/plaza.json}
host=${uri#*://}
host=${host#*@}
host=${host%%[:/]*}
spool_dir=${SPOOL_DIR:-$vigil_home/spool/${CAMERA_ID:-$host}}
mkdir -p "$spool_dir"
for element in vigilcamsrc vigildetect vigiltrack; do
  vigil_require "$element"
done
vigil_require vigilanalytics
vigil_require vigilkafkasink

gst-launch-1.0 -m -e \
  vigilcamsrc uri="$uri" ! \
  vigildetect model="${MODEL:-nanodet}" interval="${INTERVAL:-2}" ! \
  vigiltrack ! \
  vigilanalytics rules="$rules" camera-id="${CAMERA_ID:-$host}" ! \
  vigilkafkasink brokers="$brokers" topic="$topic" spool-dir="$spool_dir"

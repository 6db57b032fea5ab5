#!/usr/bin/env bash
# Shows: offline analysis of a recording, with the alerts going to Kafka. The file is
# decoded as fast as the detector goes (not in real time); every alert the rules raise
# (intrusion on the lawn, line crossings, loitering, ...) is published as one JSON
# record keyed by the camera id, exactly once per event even across broker outages.
#
#   pipelines/file-to-kafka.sh [VIDEO] [BROKERS] [TOPIC] [RULES]
#     VIDEO    default vtest.avi from VIGIL_HOME
#     BROKERS  default 127.0.0.1:9092 (`vigil broker` starts a local test cluster)
#     TOPIC    default vigil.alerts
#     RULES    default alerts/examples/plaza.json
#   CAMERA_ID (default: plaza) names the camera in the records.
#   Read them with: kcat -C -b BROKERS -t TOPIC -K '\t'
#   SPOOL_DIR (default: $VIGIL_HOME/spool/<camera>) keeps every alert on disk until the
#   broker acknowledges it, so a broker outage or a crash loses nothing.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
video=${1:-$vigil_home/vtest.avi}
brokers=${2:-127.0.0.1:9092}
topic=${3:-vigil.alerts}
rules=${4:-$vigil_repo/alerts/examples/plaza.json}
for element in vigilcamsrc vigildetect vigiltrack; do
  vigil_require "$element"
done
vigil_require vigilanalytics
vigil_require vigilkafkasink
spool_dir=${SPOOL_DIR:-$vigil_home/spool/${CAMERA_ID:-plaza}}
mkdir -p "$spool_dir"
uri=$(vigil_uri "$video")

echo "file-to-kafka: $uri -> $brokers topic $topic"
gst-launch-1.0 -e \
  vigilcamsrc uri="$uri" is-live=false ! \
  vigildetect model="${MODEL:-nanodet}" ! \
  vigiltrack ! \
  vigilanalytics rules="$rules" camera-id="${CAMERA_ID:-plaza}" ! \
  vigilkafkasink brokers="$brokers" topic="$topic" spool-dir="$spool_dir"

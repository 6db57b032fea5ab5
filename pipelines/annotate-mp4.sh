#!/usr/bin/env bash
# Shows: detection, tracking and the overlay on a video, recorded to an MP4 you can
# watch. Every person and vehicle gets a box with its label, track id and confidence,
# a trail of where it walked, and the zones and lines of a rules file are outlined
# (the plaza's lawn and path by default).
#
#   pipelines/annotate-mp4.sh [INPUT] [OUTPUT] [RULES]
#     INPUT   a file or any URI vigilcamsrc reads (rtsp://, v4l2://); default vtest.avi
#     OUTPUT  the MP4 to write; default annotated.mp4
#     RULES   rules file whose zones and lines are drawn; default alerts/examples/plaza.json
#   FRAMES=N stops after N frames (a camera otherwise runs until Ctrl-C, which still
#   finishes the MP4); MODEL=nanodet|centernet|FILE, INTERVAL=N (detect every Nth
#   frame, tracks are predicted in between).
#
# Runs from the build tree: VIGIL_BUILD_DIR (default build/) must hold plugins/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
input=${1:-$vigil_home/vtest.avi}
output=${2:-annotated.mp4}
rules=${3:-$vigil_repo/alerts/examples/plaza.json}
for element in vigilcamsrc vigildetect vigiltrack vigiloverlay x264enc mp4mux; do
  vigil_require "$element"
done
uri=$(vigil_uri "$input")
limit=""
if [ -n "${FRAMES:-}" ]; then
  limit="identity eos-after=$FRAMES !"
fi

echo "annotate-mp4: $uri -> $output"
# vigiloverlay draws on I420 directly, which is what x264enc takes.
gst-launch-1.0 -e \
  vigilcamsrc uri="$uri" is-live="$(vigil_is_live "$uri")" ! video/x-raw,format=I420 ! $limit \
  vigildetect model="${MODEL:-nanodet}" interval="${INTERVAL:-1}" ! \
  vigiltrack ! \
  vigiloverlay rules="$rules" ! \
  x264enc speed-preset=veryfast ! mp4mux ! filesink location="$output"

#!/usr/bin/env bash
# The vigil demo on real footage: installs what is missing, builds, fetches the
# pretrained detector and vtest.avi (a campus plaza, 795 frames), then runs the
# detector over the whole clip and leaves, in ${VIGIL_DEMO_OUT:-out/demo}:
#   detections.jsonl   one JSON line per frame (DESIGN.md's `vigil detect` output)
#   annotated.mp4      the footage with every detection drawn
# Options: --frames LIST (default: all), --model nanodet|centernet, --threads N.
# (Tracking, rules and Kafka join this demo as those parts land.)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
start=$(date +%s)
out=${VIGIL_DEMO_OUT:-out/demo}
home=${VIGIL_HOME:-$HOME/.cache/vigil}

bash scripts/install-deps.sh
if [ ! -x build/cli/vigil ]; then
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build -j"$(nproc)" --target vigil >/dev/null
VIGIL_BIN="$repo/build/cli/vigil" bash scripts/fetch-assets.sh

mkdir -p "$out"
echo "demo: detecting objects in $home/vtest.avi"
build/cli/vigil detect --progress --annotate "$out/annotated.mp4" "$@" "$home/vtest.avi" \
  >"$out/detections.jsonl"

# A summary a person can read: detections per label over the clip.
/usr/bin/python3 - "$out/detections.jsonl" <<'PY'
import collections, json, sys
frames, counts = 0, collections.Counter()
for line in open(sys.argv[1]):
    frame = json.loads(line)
    frames += 1
    counts.update(d["label"] for d in frame["detections"])
print(f"demo: {frames} frames; detections per frame by label:")
for label, n in counts.most_common(8):
    print(f"  {label:14s} {n / max(frames, 1):6.2f}")
PY
echo "demo: wrote $out/detections.jsonl and $out/annotated.mp4"
echo "demo: finished in $(($(date +%s) - start)) s"

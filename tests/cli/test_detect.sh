#!/usr/bin/env bash
# vigil detect end to end: JSON lines from vtest.avi and a JPEG, and a clear message
# naming the input plus a non-zero exit (never a crash) for each kind of bad input.
set -u
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
home=${VIGIL_HOME:-$HOME/.cache/vigil}
video=$home/vtest.avi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# expect_error NAME PATTERN ARGS...: exit status 1 or 2 (not a signal), and stderr
# holding NAME and PATTERN.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$VIGIL" detect "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -gt 2 ]; then
    fail "vigil detect $*: exit status $rc, expected 1 or 2"
  elif ! grep -qF -- "$name" "$tmp/err" || ! grep -qiE -- "$pattern" "$tmp/err"; then
    fail "vigil detect $*: stderr lacks '$name' and /$pattern/: $(cat "$tmp/err")"
  else
    echo "ok: $* -> $(head -c 200 "$tmp/err")"
  fi
}

# check_jsonl FILE WIDTH HEIGHT FRAMES...: one line per listed frame, each a JSON object
# in the documented shape with at least one person inside the frame.
check_jsonl() {
  python3 - "$@" <<'PY'
import json, sys
path, width, height, frames = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), [int(f) for f in sys.argv[4:]]
lines = open(path).read().splitlines()
assert len(lines) == len(frames), f"{len(lines)} lines, expected {len(frames)}"
for line, frame in zip(lines, frames):
    obj = json.loads(line)
    assert list(obj) == ["frame", "pts", "width", "height", "detections"], list(obj)
    assert obj["frame"] == frame, (obj["frame"], frame)
    assert (obj["width"], obj["height"]) == (width, height)
    people = 0
    for d in obj["detections"]:
        assert set(d) == {"label", "class_id", "score", "box"}, d
        x, y, w, h = d["box"]
        assert 0 <= x and 0 <= y and w > 0 and h > 0, d
        assert x + w <= width + 0.05 and y + h <= height + 0.05, d
        assert 0 < d["score"] <= 1, d
        if d["label"] == "person":
            assert d["class_id"] == 0
            people += 1
    assert people >= 1, f"frame {frame}: no person in {line}"
    print(f"frame {frame} pts {obj['pts']}: {people} people, {len(obj['detections'])} detections")
PY
}

# ---- bad inputs: these need no model (the input is opened first) ----
: >"$tmp/empty.jpg"
echo "just some text" >"$tmp/notes.jpg"
echo "just some text" >"$tmp/notes.avi"
printf 'P6\n0 0\n255\n' >"$tmp/zero.ppm"
expect_error "$tmp/missing.avi" "no such file" "$tmp/missing.avi"
expect_error "$tmp/empty.jpg" "empty" "$tmp/empty.jpg"
expect_error "$tmp/notes.jpg" "not a JPEG" "$tmp/notes.jpg"
expect_error "$tmp/notes.avi" "unknown format" "$tmp/notes.avi"
expect_error "$tmp/zero.ppm" "zero-size" "$tmp/zero.ppm"
expect_error "$tmp" "directory" "$tmp"
expect_error "--frames" "3:1" --frames 3:1 "$tmp/notes.jpg"
expect_error "yolo" "unknown model" --model yolo "$video"
expect_error "--threshold" "bad value" --threshold 1.5 "$video"
"$VIGIL" detect --help | grep -q "exclusive\|excluded" || fail "--help does not document the frame list"

if [ ! -f "$video" ]; then
  echo "skipped the runs on video: $video not present (run scripts/fetch-assets.sh)"
  exit $((failures > 0))
fi
if ! command -v ffmpeg >/dev/null; then
  fail "ffmpeg not installed (scripts/install-deps.sh installs it)"
  exit 1
fi
ffmpeg -loglevel error -y -i "$video" -frames:v 1 -q:v 3 "$tmp/frame0.jpg" || fail "ffmpeg"
head -c 20000 "$tmp/frame0.jpg" >"$tmp/cut.jpg"
head -c 150000 "$video" >"$tmp/cut.avi"
head -c 3000 "$video" >"$tmp/header.avi"
expect_error "$tmp/cut.jpg" "truncated" "$tmp/cut.jpg"
expect_error "$tmp/header.avi" "truncated|damaged" "$tmp/header.avi"

if [ ! -f "$home/models/nanodet.safetensors" ]; then
  expect_error "nanodet" "fetch-assets" "$video"
  echo "skipped the detections: $home/models/nanodet.safetensors not present"
  exit $((failures > 0))
fi

# ---- detections ----
start=$EPOCHREALTIME
if "$VIGIL" detect --frames 0:3 "$video" >"$tmp/video.jsonl" 2>"$tmp/err"; then
  check_jsonl "$tmp/video.jsonl" 768 576 0 1 2 || fail "vtest.avi --frames 0:3"
  python3 -c 'import json,sys; p=[json.loads(l)["pts"] for l in open(sys.argv[1])]; assert p==[0,0.1,0.2], p' \
    "$tmp/video.jsonl" || fail "pts of frames 0-2"
else
  fail "vigil detect --frames 0:3 $video: $(cat "$tmp/err")"
fi
echo "3 frames in $(awk "BEGIN { print $EPOCHREALTIME - $start }") s (model load included)"
"$VIGIL" detect --frames 7,2 --threshold 0.5 "$video" >"$tmp/some.jsonl" 2>"$tmp/err" &&
  check_jsonl "$tmp/some.jsonl" 768 576 2 7 || fail "--frames 7,2: $(cat "$tmp/err")"
"$VIGIL" detect "$tmp/frame0.jpg" >"$tmp/jpeg.jsonl" 2>"$tmp/err" &&
  check_jsonl "$tmp/jpeg.jsonl" 768 576 0 || fail "JPEG input: $(cat "$tmp/err")"
expect_error "$tmp/cut.avi" "truncated" "$tmp/cut.avi"
if [ -s "$tmp/out" ] && python3 -c 'import json,sys; [json.loads(l) for l in open(sys.argv[1])]' "$tmp/out"; then
  echo "ok: the truncated video still gave $(wc -l <"$tmp/out") frames before failing"
else
  fail "the truncated video gave no frames"
fi
# A damaged (not cut) video: its bad frames are skipped and reported, not fatal.
ffmpeg -loglevel error -y -i "$video" -frames:v 20 -c:v mpeg4 "$tmp/short.avi" || fail "ffmpeg"
python3 - "$tmp/short.avi" "$tmp/damaged.avi" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
start = int(len(data) * 0.3)
for i in range(400):
    data[start + i] ^= 0x55
open(sys.argv[2], "wb").write(data)
PY
if "$VIGIL" detect "$tmp/damaged.avi" >"$tmp/damaged.jsonl" 2>"$tmp/err"; then
  lines=$(wc -l <"$tmp/damaged.jsonl")
  if [ "$lines" -lt 20 ] && ! grep -q "damaged.avi: .* corrupt frame" "$tmp/err"; then
    fail "damaged video: $lines of 20 frames but no corrupt-frame report: $(cat "$tmp/err")"
  else
    echo "ok: damaged video: $lines frames, $(cat "$tmp/err")"
  fi
else
  fail "damaged video was fatal: $(cat "$tmp/err")"
fi
if [ -f "$home/models/centernet.safetensors" ]; then
  "$VIGIL" detect --model centernet --frames 0 "$video" >"$tmp/cn.jsonl" 2>"$tmp/err" &&
    check_jsonl "$tmp/cn.jsonl" 768 576 0 || fail "centernet: $(cat "$tmp/err")"
fi
exit $((failures > 0))

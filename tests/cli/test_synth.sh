#!/usr/bin/env bash
# vigil synth end to end: text files and a decodable video with the requested frame
# count and size, the same bytes for the same seed, other codecs and a real background,
# and usage errors.
set -u
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
home=${VIGIL_HOME:-$HOME/.cache/vigil}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# probe VIDEO: "width height frames codec" as FFmpeg decodes it.
probe() {
  ffprobe -v error -select_streams v:0 -count_frames \
    -show_entries stream=width,height,nb_read_frames,codec_name -of csv=p=0 "$1" |
    awk -F, '{print $2, $3, $4, $1}'
}

args=(--preset medium --seed 5 --frames 30 --size 320x240)
"$VIGIL" synth "${args[@]}" --out "$tmp/a" 2>"$tmp/err" || fail "synth: $(cat "$tmp/err")"
for f in clip.avi gt.txt det.txt seqinfo.ini; do
  [ -s "$tmp/a/$f" ] || fail "missing $f"
done
if command -v ffprobe >/dev/null; then
  got=$(probe "$tmp/a/clip.avi")
  [ "$got" = "320 240 30 mpeg4" ] || fail "clip.avi decodes as '$got'"
  echo "ok: clip.avi: $got"
fi
grep -q "frameRate=25" "$tmp/a/seqinfo.ini" || fail "seqinfo.ini lacks frameRate"
[ "$(cut -d, -f1 "$tmp/a/gt.txt" | sort -un | tail -1)" = 30 ] || fail "gt.txt frames"
awk -F, 'NF != 9 || $2 != -1 { exit 1 }' "$tmp/a/det.txt" || fail "det.txt not MOT detections"

# Same seed, same bytes (the encoder runs bit-exact); another seed, other truth.
"$VIGIL" synth "${args[@]}" --out "$tmp/b" 2>/dev/null
for f in clip.avi gt.txt det.txt; do
  cmp -s "$tmp/a/$f" "$tmp/b/$f" || fail "$f differs for the same seed"
done
"$VIGIL" synth --preset medium --seed 6 --frames 30 --size 320x240 --no-video --out "$tmp/c" \
  2>/dev/null
cmp -s "$tmp/a/gt.txt" "$tmp/c/gt.txt" && fail "seed 6 gave seed 5's truth"
echo "ok: deterministic"

# Noise flags change the detections only.
"$VIGIL" synth "${args[@]}" --no-video --miss-rate 0.5 --fp-rate 3 --out "$tmp/d" 2>/dev/null
cmp -s "$tmp/a/gt.txt" "$tmp/d/gt.txt" || fail "noise flags moved the truth"
cmp -s "$tmp/a/det.txt" "$tmp/d/det.txt" && fail "noise flags did not change det.txt"

# MJPEG in a .mkv, and a real video as background.
"$VIGIL" synth --preset easy --frames 10 --size 160x120 --codec mjpeg --video "$tmp/m.mkv" \
  --out "$tmp/e" 2>"$tmp/err" || fail "mjpeg: $(cat "$tmp/err")"
command -v ffprobe >/dev/null && [ "$(probe "$tmp/m.mkv")" = "160 120 10 mjpeg" ] ||
  fail "m.mkv decodes as '$(probe "$tmp/m.mkv")'"
if [ -f "$home/vtest.avi" ]; then
  "$VIGIL" synth --preset easy --frames 10 --size 384x288 --background "$home/vtest.avi" \
    --out "$tmp/v" 2>"$tmp/err" || fail "background: $(cat "$tmp/err")"
  command -v ffprobe >/dev/null && [ "$(probe "$tmp/v/clip.avi")" = "384 288 10 mpeg4" ] ||
    fail "background clip decodes as '$(probe "$tmp/v/clip.avi")'"
  echo "ok: vtest.avi background"
else
  echo "skip: no vtest.avi in $home"
fi

# expect_error STATUS PATTERN ARGS...
expect_error() {
  local status=$1 pattern=$2
  shift 2
  "$VIGIL" synth "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$status" ] || ! grep -qE -- "$pattern" "$tmp/err"; then
    fail "vigil synth $*: exit $rc, stderr: $(cat "$tmp/err")"
  else
    echo "ok: $* -> $(head -c 160 "$tmp/err")"
  fi
}
expect_error 2 "--out DIR is required" --preset easy
expect_error 2 "unknown preset 'impossible'" --preset impossible --out "$tmp/x"
expect_error 2 "--size wants WxH" --size 321x240 --out "$tmp/x"
expect_error 2 "--miss-rate wants a number" --miss-rate 2 --out "$tmp/x"
expect_error 1 "no encoder named 'nope'" --frames 2 --codec nope --out "$tmp/x"
expect_error 1 "no container format" --frames 2 --video "$tmp/x/clip.unknownext" --out "$tmp/x"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all vigil synth checks passed"

#!/usr/bin/env bash
# vigil track end to end: synthetic detections in, MOT tracks out (checked for shape and
# scored with vigil eval), detector skipping, bad input files reported with their line
# number, usage errors, and (when the model is installed) tracking on vtest.avi.
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

# expect_error STATUS PATTERN ARGS...: vigil track exits with STATUS and stderr matches.
expect_error() {
  local status=$1 pattern=$2
  shift 2
  "$VIGIL" track "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$status" ]; then
    fail "vigil track $*: exit status $rc, expected $status ($(cat "$tmp/err"))"
  elif ! grep -qE -- "$pattern" "$tmp/err"; then
    fail "vigil track $*: stderr lacks /$pattern/: $(cat "$tmp/err")"
  else
    echo "ok: $* -> $(head -c 160 "$tmp/err")"
  fi
}

# check_tracks FILE FRAMES: MOT lines, 9 fields, frames 1..FRAMES ascending, ids from 1
# unique per frame, positive sizes.
check_tracks() {
  awk -F, -v frames="$2" '
    NF != 9 { print "line " NR ": " NF " fields"; bad = 1; exit }
    $1 < prev { print "line " NR ": frame goes back"; bad = 1; exit }
    $1 < 1 || $1 > frames { print "line " NR ": frame " $1 " out of range"; bad = 1; exit }
    $2 < 1 || $5 <= 0 || $6 <= 0 { print "line " NR ": bad id or size"; bad = 1; exit }
    seen[$1 "," $2]++ { print "line " NR ": id twice in a frame"; bad = 1; exit }
    { prev = $1 }
    END { exit bad }' "$1"
}

json_field() { # json_field FILE KEY
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"
}

# 1. Detections of an easy synthetic clip; the frame rate comes from its seqinfo.ini.
"$VIGIL" synth --preset easy --seed 3 --frames 150 --no-video --out "$tmp/clip" 2>/dev/null ||
  fail "vigil synth failed"
if "$VIGIL" track --dets "$tmp/clip/det.txt" --out "$tmp/tracks.txt" 2>"$tmp/err"; then
  grep -q "assuming 30" "$tmp/err" && fail "seqinfo.ini frame rate not used"
  check_tracks "$tmp/tracks.txt" 150 || fail "track output malformed"
  "$VIGIL" eval mot --gt "$tmp/clip/gt.txt" --res "$tmp/tracks.txt" --json >"$tmp/m.json" ||
    fail "vigil eval failed"
  mota=$(json_field "$tmp/m.json" MOTA)
  idsw=$(json_field "$tmp/m.json" IDSW)
  python3 -c "import sys; sys.exit(0 if $mota > 0.8 else 1)" || fail "MOTA $mota on the easy clip"
  [ "$idsw" -le 1 ] || fail "$idsw identity switches on the easy clip"
  echo "ok: easy clip MOTA $mota, IDSW $idsw"
else
  fail "vigil track --dets: $(cat "$tmp/err")"
fi

# 2. Standard output, and the detector running on every third frame only: the frames
#    between are predicted, so tracks are written for (nearly) every frame.
"$VIGIL" track --dets "$tmp/clip/det.txt" --detect-every 3 >"$tmp/every3.txt" ||
  fail "--detect-every 3 failed"
check_tracks "$tmp/every3.txt" 150 || fail "--detect-every output malformed"
with_tracks=$(cut -d, -f1 "$tmp/every3.txt" | sort -un | wc -l)
[ "$with_tracks" -ge 140 ] || fail "--detect-every 3: only $with_tracks frames have tracks"
"$VIGIL" eval mot --gt "$tmp/clip/gt.txt" --res "$tmp/every3.txt" --json >"$tmp/m3.json"
mota3=$(json_field "$tmp/m3.json" MOTA)
python3 -c "import sys; sys.exit(0 if $mota3 > 0.6 else 1)" || fail "MOTA $mota3 with skipping"
echo "ok: detect every 3rd frame: tracks in $with_tracks/150 frames, MOTA $mota3"

# 3. Options change the outcome: confirming at once reports more boxes.
"$VIGIL" track --dets "$tmp/clip/det.txt" --confirm-hits 1 --bytetrack --lost-seconds 0.5 \
  >"$tmp/fast.txt" || fail "flags refused"
[ "$(wc -l <"$tmp/fast.txt")" -gt "$(wc -l <"$tmp/tracks.txt")" ] ||
  fail "--confirm-hits 1 did not report more boxes"

# 4. Bad input files name the file and the line.
printf '1,-1,10,10,20,40,0.9,1\n1,-1,10,10,x,40,0.9,1\n' >"$tmp/malformed.txt"
expect_error 1 "malformed.txt:2: field 5 \(width\) is not a number" --dets "$tmp/malformed.txt"
printf '1,-1,10,10,20,40,0.9,1\n2,-1,10,10,20,40,0.9,1\n2,-1,10,10,20,-40,0.9,1\n' >"$tmp/neg.txt"
expect_error 1 "neg.txt:3: negative height -40" --dets "$tmp/neg.txt"
printf '1,-1,10,10,20,40,0.9,1\n3,-1,10,10,20,40,0.9,1\n2,-1,10,10,20,40,0.9,1\n' >"$tmp/order.txt"
expect_error 1 "order.txt:3: frame 2 comes after frame 3" --dets "$tmp/order.txt"
printf '1,-1,10,10,20\n' >"$tmp/short.txt"
expect_error 1 "short.txt:1: expected at least 6" --dets "$tmp/short.txt"
expect_error 1 "missing.txt" --dets "$tmp/missing.txt"

# 5. Usage errors.
expect_error 2 "either --dets" --fps 25
expect_error 2 "either --dets" --dets "$tmp/clip/det.txt" --video x.avi
expect_error 2 "--high wants a number" --dets "$tmp/clip/det.txt" --high 2
expect_error 2 "--confirm-hits wants" --dets "$tmp/clip/det.txt" --confirm-hits 0
expect_error 2 "thresholds" --dets "$tmp/clip/det.txt" --low 0.8 --high 0.5
"$VIGIL" track --help | grep -q -- "--lost-seconds" || fail "--help lacks --lost-seconds"

# 6. The detector on a real video, when the model is installed.
if [ -f "$home/models/nanodet.safetensors" ] && [ -f "$home/vtest.avi" ]; then
  if "$VIGIL" track --video "$home/vtest.avi" --frames 12 --threads 2 --out "$tmp/vt.txt" \
    2>"$tmp/err"; then
    check_tracks "$tmp/vt.txt" 12 || fail "video track output malformed"
    people=$(awk -F, '$8 == 1' "$tmp/vt.txt" | wc -l)
    [ "$people" -gt 10 ] || fail "only $people person boxes in 12 frames of vtest.avi"
    echo "ok: vtest.avi, 12 frames: $(wc -l <"$tmp/vt.txt") track boxes, $people persons"
  else
    fail "vigil track --video: $(cat "$tmp/err")"
  fi
else
  echo "skip: no nanodet model or vtest.avi in $home (video mode not tested)"
fi

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all vigil track checks passed"

#!/usr/bin/env bash
# vigil eval mot end to end on a sequence worked out by hand (the same one as in
# tests/tracker/test_mot_metrics.c, where the arithmetic is written out): the table and
# the JSON carry the expected values; bad files and usage errors are reported.
set -u
VIGIL=${VIGIL:?set VIGIL to the vigil binary}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Objects 1 and 2 in frames 1-4, object 3 in frames 1-2; 10 x 10 boxes.
cat >"$tmp/gt.txt" <<'GT'
1,1,0,0,10,10,1,1,1
1,2,100,0,10,10,1,1,1
1,3,200,0,10,10,1,1,1
2,1,0,0,10,10,1,1,1
2,2,100,0,10,10,1,1,1
2,3,200,0,10,10,1,1,1
3,1,0,0,10,10,1,1,1
3,2,100,0,10,10,1,1,1
4,1,0,0,10,10,1,1,1
4,2,100,0,10,10,1,1,1
GT
# h1 on o1 (frames 1-2), h2 on o2 (frame 2 shifted 2 px, IoU 2/3), h3 a false positive,
# then h2 on o1 and h4 on o2 in frame 4 (two switches).
cat >"$tmp/res.txt" <<'RES'
1,1,0,0,10,10,0.9,1,-1
1,2,100,0,10,10,0.9,1,-1
2,1,0,0,10,10,0.9,1,-1
2,2,102,0,10,10,0.9,1,-1
3,2,100,0,10,10,0.9,1,-1
3,3,50,50,10,10,0.9,1,-1
4,2,0,0,10,10,0.9,1,-1
4,4,100,0,10,10,0.9,1,-1
RES

if "$VIGIL" eval mot --gt "$tmp/gt.txt" --res "$tmp/res.txt" --json >"$tmp/m.json" 2>"$tmp/err"; then
  python3 - "$tmp/m.json" <<'PY' || fail "JSON values differ from the hand-worked ones"
import json, sys
m = json.load(open(sys.argv[1]))
expect = {"MOTA": 0.4, "MOTP": (6 + 2 / 3) / 7, "TP": 7, "FP": 1, "FN": 3, "IDSW": 2, "Frag": 1,
          "MT": 1, "PT": 1, "ML": 1, "IDF1": 10 / 18, "IDP": 0.625, "IDR": 0.5, "IDTP": 5,
          "truth_boxes": 10, "tracker_boxes": 8, "frames": 4}
bad = {k: (m[k], v) for k, v in expect.items() if abs(m[k] - v) > 1e-5}
assert not bad, bad
assert 0 < m["HOTA"] < 1 and 0 < m["DetA"] < 1 and 0 < m["AssA"] < 1, m
print("ok: JSON metrics match the hand-worked values")
PY
else
  fail "vigil eval mot --json: $(cat "$tmp/err")"
fi

"$VIGIL" eval mot --gt "$tmp/gt.txt" --res "$tmp/res.txt" >"$tmp/table.txt" || fail "table failed"
grep -qE '^%  +40\.00 +95\.24 +55\.56 +62\.50 +50\.00 ' "$tmp/table.txt" ||
  fail "table row wrong: $(cat "$tmp/table.txt")"
grep -qE '^ +7 +1 +3 +2 +1 +1 +1 +1$' "$tmp/table.txt" || fail "count row wrong"
echo "ok: table"

# Class filter: evaluating cars (3) only leaves nothing to find.
"$VIGIL" eval mot --gt "$tmp/gt.txt" --res "$tmp/res.txt" --class 3 --json >"$tmp/c.json" &&
  python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); sys.exit(m["truth_boxes"] != 0)' \
    "$tmp/c.json" || fail "--class 3 kept boxes"

# expect_error STATUS PATTERN ARGS...
expect_error() {
  local status=$1 pattern=$2
  shift 2
  "$VIGIL" eval "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -ne "$status" ] || ! grep -qE -- "$pattern" "$tmp/err"; then
    fail "vigil eval $*: exit $rc, stderr: $(cat "$tmp/err")"
  else
    echo "ok: $* -> $(head -c 160 "$tmp/err")"
  fi
}
printf '1,1,0,0,10,10,1,1,1\n1,1,5,5,10,10,1,1,1\n' >"$tmp/dup.txt"
expect_error 1 "dup.txt:2: id 1 appears twice in frame 1" mot --gt "$tmp/dup.txt" --res "$tmp/res.txt"
printf '2,1,0,0,10,10\n1,1,0,0,10,10\n' >"$tmp/order.txt"
expect_error 1 "order.txt:2: frame 1 comes after frame 2" mot --gt "$tmp/gt.txt" --res "$tmp/order.txt"
expect_error 1 "nothing.txt" mot --gt "$tmp/nothing.txt" --res "$tmp/res.txt"
expect_error 2 "needs --gt" mot --gt "$tmp/gt.txt"
expect_error 2 "usage: vigil eval mot" map
expect_error 2 "--iou wants" mot --gt "$tmp/gt.txt" --res "$tmp/res.txt" --iou 0

[ "$failures" -eq 0 ] || { echo "$failures failure(s)" >&2; exit 1; }
echo "all vigil eval checks passed"

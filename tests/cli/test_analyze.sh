#!/usr/bin/env bash
# vigil analyze: synthetic tracks through DESIGN.md's example rules, alert JSON checked
# against the schema and against frame numbers worked by hand; a changed threshold
# moves the alert; two runs give identical output.
set -euo pipefail
VIGIL=${VIGIL:?path of the vigil binary}
SRC=${VIGIL_SOURCE_DIR:?source tree}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# 10 fps, 300 frames, 768x576. Bottom-centre positions (the rules' anchor):
#  1: walks left along y=450 from x=500 at 100 px/s, enters the lawn (x <= 420) at
#     frame 9, stands at x=310 from frame 20 to 280, walks out right (x > 420 at 286).
#  2: walks right along y=200 at 50 px/s from x=200; the path line is at x=306.7 there,
#     so with the 3 px margin (3.01 px across x: the line leans 4.8 degrees) the
#     crossing counts once x > 309.68: frame 23 (x=310).
#  3-7: five people stand in the lawn from frame 100 to 160.
python3 - "$work/tracks.txt" <<'EOF'
import sys
rows = []
def put(f, tid, x, y, cls=1):
    rows.append((f, tid, x - 15, y - 60, 30, 60, cls))
for f in range(1, 301):
    if f <= 20: x = 500 - 10 * (f - 1)
    elif f <= 280: x = 310
    else: x = 310 + 20 * (f - 280)
    put(f, 1, x, 450)
    if f <= 60: put(f, 2, 200 + 5 * (f - 1), 200)
    if 100 <= f <= 160:
        for k in range(5): put(f, 3 + k, 40 + 50 * k, 500)
with open(sys.argv[1], "w") as out:
    for r in sorted(rows):
        out.write("%d,%d,%.1f,%.1f,%.1f,%.1f,0.9,%d,-1\n" % r)
EOF

"$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" --tracks "$work/tracks.txt" --fps 10 \
  --jsonl "$work/a.jsonl"
"$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" --tracks "$work/tracks.txt" --fps 10 \
  --quiet > "$work/b.jsonl"
cmp "$work/a.jsonl" "$work/b.jsonl" || { echo "FAIL: two runs differ"; exit 1; }
sed 's/"seconds": 20}/"seconds": 10}/' "$SRC/alerts/examples/plaza.json" > "$work/ten.json"
"$VIGIL" analyze --rules "$work/ten.json" --tracks "$work/tracks.txt" --fps 10 --quiet \
  --start-time 2026-11-29T08:00:00Z --jsonl "$work/c.jsonl"

python3 - "$SRC/alerts/schema/alert.schema.json" "$work/a.jsonl" "$work/c.jsonl" \
  "$SRC/alerts/schema/rules.schema.json" "$SRC/alerts/examples/plaza.json" <<'EOF'
import json, sys, jsonschema
rules_schema = json.load(open(sys.argv[4]))
jsonschema.Draft202012Validator(rules_schema).validate(json.load(open(sys.argv[5])))
bad = {"rules": [{"name": "l", "type": "loitering", "zone": "z", "secnds": 3}]}
assert list(jsonschema.Draft202012Validator(rules_schema).iter_errors(bad)), "schema too lax"
schema = json.load(open(sys.argv[1]))
v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
def load(path):
    alerts = [json.loads(l) for l in open(path)]
    for a in alerts:
        errors = list(v.iter_errors(a))
        assert not errors, "schema: %s in %s" % (errors[0].message, a)
    return alerts
def events(alerts, rule, event):
    return [a for a in alerts if a["rule"] == rule and a["event"] == event]
a = load(sys.argv[2])
ids = [x["alert_id"] for x in a]
assert len(ids) == len(set(ids)), "duplicate alert ids"
def one(rule, event, frame, alerts=a, track=None):
    got = [x for x in events(alerts, rule, event)
           if track is None or x["objects"][0]["track_id"] == track]
    assert [x["frame"] for x in got] == [frame], "%s %s: frames %s, expected [%d]" % (
        rule, event, [x["frame"] for x in got], frame)
    return got[0]
one("keep-off-lawn", "start", 9, track=1)
assert len(events(a, "keep-off-lawn", "start")) == 6   # and the five at frame 100
one("loiter", "start", 209)
one("loiter", "end", 296)
# track 2 crosses the path along its arrow; track 1 crossed against it on the way in
# (not counted) and along it on the way out (x = 327.5 + 3 at y = 450: frame 282)
c = one("cross", "instant", 23, track=2)
assert c["details"]["direction"] == "forward"
one("cross", "instant", 282, track=1)
# crowd: six in the lawn from frame 100 (pts 9.9): on after 3 s, frame 130. The five
# vanish after frame 160 (pts 15.9) but count at their last place until unseen for more
# than track_timeout (1 s): dropped at frame 171, so the count is 1 from frame 172
# (pts 17.1) and the crowd ends 3 s later, frame 202.
cs = one("crowd", "start", 130); assert cs["details"]["count"] == 6
one("crowd", "end", 202)
assert not events(a, "against-flow", "start") and not events(a, "fast", "start")
assert a[0]["started_at"] == "1970-01-01T00:00:00.800Z", a[0]["started_at"]
c = load(sys.argv[3])
one("loiter", "start", 109, c)   # the what-if: 10 s instead of 20
assert c[0]["started_at"] == "2026-11-29T08:00:00.800Z"
print("analyze: %d alerts checked against the schema and hand-worked frames" % len(a))
EOF

# Bad input: clear errors naming the file, line and field, and a failing exit status.
expect_error() {  # rules-text expected-message
  printf '%s' "$1" > "$work/bad.json"
  if "$VIGIL" analyze --rules "$work/bad.json" --tracks "$work/tracks.txt" --fps 10 \
       > /dev/null 2> "$work/err.txt"; then
    echo "FAIL: bad rules accepted: $1"; exit 1
  fi
  grep -qF "$2" "$work/err.txt" || { echo "FAIL: expected '$2', got:"; cat "$work/err.txt"; exit 1; }
}
expect_error $'{"rules": [\n  {"name": "x", "type": "tamper"\n]}' "bad.json:3: not valid JSON"
expect_error $'{"zones": [{"name": "lawn", "polygon": [[0,0],[9,0],[9,9]]}],\n "rules": [{"name": "a", "type": "intrusion",\n   "zone": "lwn"}]}' \
  "bad.json:3: rules[0].zone: unknown zone 'lwn' (zones: lawn)"
expect_error $'{"zones": [{"name": "bow",\n  "polygon": [[0,0],[100,100],[100,0],[0,100]]}],\n "rules": []}' \
  "bad.json:2: zones[0].polygon: polygon intersects itself"
"$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" --tracks /nonexistent.txt --fps 10 \
  2> "$work/err.txt" && { echo "FAIL: missing tracks accepted"; exit 1; }
grep -q "/nonexistent.txt" "$work/err.txt"
echo "analyze: bad input rejected with file, line and field"

#!/usr/bin/env bash
# vigil broker: its address line and stdin commands; then vigil analyze publishing to it
# through the spool, read back with kcat: the same alert ids as the JSON-lines output.
# Last, a spool on a "full disk" (a file size limit): a clear error, and what was
# accepted is delivered by the next run.
set -euo pipefail
source "${VIGIL_SOURCE_DIR:?}/tests/alerts/delivery_common.sh"
SRC=$VIGIL_SOURCE_DIR
start_broker --brokers 2
broker_cmd "down 2";               [ "$REPLY_LINE" = "ok down 2" ]
broker_cmd "up";                   [ "$REPLY_LINE" = "ok up all" ]
broker_cmd "down 7";               [[ "$REPLY_LINE" == error:* ]]
broker_cmd "error produce 6 3";    [[ "$REPLY_LINE" == "ok error produce 6 (NOT_LEADER_FOR_PARTITION) x3" ]]
broker_cmd "error produce NO_SUCH_ERROR 3"; [[ "$REPLY_LINE" == error:* ]]
broker_cmd "rtt 5";                [ "$REPLY_LINE" = "ok rtt 5" ]
broker_cmd "fly";                  [[ "$REPLY_LINE" == "error: unknown command 'fly'"* ]]

# Tracks: 40 people each crossing the path line once (40 instant alerts) and walking
# into the lawn (intrusion start/end), at 10 fps.
python3 - "$work/tracks.txt" <<'EOF'
import sys
with open(sys.argv[1], "w") as out:
    for f in range(1, 201):
        for k in range(40):
            t = f - 1 - 4 * k
            if 0 <= t < 40:
                x, y = 200 + 5 * t, 150 + 8 * k
                out.write("%d,%d,%.1f,%.1f,30,60,0.9,1,-1\n" % (f, k + 1, x - 15, y - 60))
EOF
"$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" --tracks "$work/tracks.txt" --fps 10 \
  --quiet --jsonl "$work/alerts.jsonl"
if ! "$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" --tracks "$work/tracks.txt" \
     --fps 10 --kafka "$BROKERS" --topic plaza-alerts --spool "$work/spool" -X linger.ms=1 \
     -X sasl.password=NotARealSecret 2> "$work/analyze.err"; then
  cat "$work/analyze.err"; echo "FAIL: analyze --kafka"; exit 1
fi
cat "$work/analyze.err"
! grep -q NotARealSecret "$work/analyze.err" || { echo "FAIL: secret in output"; exit 1; }
grep -o '"alert_id":"[^"]*"' "$work/alerts.jsonl" | cut -d'"' -f4 | sort > "$work/jsonl.ids"
read_back plaza-alerts "$work/kafka.ids"
sort "$work/kafka.ids" > "$work/kafka.sorted"
n=$(wc -l < "$work/jsonl.ids")
[ "$n" -ge 40 ] || { echo "FAIL: only $n alerts"; exit 1; }
cmp "$work/jsonl.ids" "$work/kafka.sorted" || { echo "FAIL: Kafka and JSON lines differ"; exit 1; }
keys=$(timeout 30 kcat -C -b "$BROKERS" -t plaza-alerts -e -q -f '%k\n' | sort -u)
[ "$keys" = "plaza" ] || { echo "FAIL: keys '$keys'"; exit 1; }
echo "broker: $n alerts through Kafka, same ids as the JSON lines, key = camera id"

# Full disk: with the broker down and files limited to 6 KiB, the spool refuses alerts
# once its segment cannot grow; analyze says so and fails. The next run (no limit,
# broker up) delivers everything that had been accepted.
broker_cmd "down"
set +e
( ulimit -f 12; trap '' XFSZ; exec "$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" \
    --tracks "$work/tracks.txt" --fps 10 --kafka "$BROKERS" --topic full --spool "$work/full" \
    --flush-timeout 1 ) 2> "$work/full.err"
rc=$?
set -e
cat "$work/full.err"
[ "$rc" -ne 0 ] || { echo "FAIL: a full spool went unreported"; exit 1; }
grep -q "no space left on device" "$work/full.err" || { echo "FAIL: unclear error"; exit 1; }
accepted=$(python3 -c "
import re,sys; t=open('$work/full.err').read()
m=re.search(r'(\d+) alerts \(start', t); r=re.search(r'(\d+) alerts refused', t)
print(int(m.group(1)) - int(r.group(1)))")
broker_cmd "up"
"$VIGIL" analyze --rules "$SRC/alerts/examples/plaza.json" --tracks /dev/null --fps 10 \
  --kafka "$BROKERS" --topic full --spool "$work/full" 2>&1 | tail -n 1
read_back full "$work/full.ids"
got=$(sort -u "$work/full.ids" | wc -l)
echo "full disk: $accepted alerts accepted before the disk filled, $got delivered after"
[ "$got" -eq "$accepted" ] && [ "$accepted" -gt 0 ] || { echo "FAIL"; exit 1; }
echo "PASS"

#!/usr/bin/env bash
# Delivery (c): the publisher is killed with SIGKILL at random moments and restarted,
# six times, then runs to the end. No alert_id may be missing; an alert may arrive
# twice only if it was in flight at a kill: pending in the spool when the next run
# started, or accepted but not yet noted in the progress file. The broker answers after
# 200 ms so that hundreds of alerts are in flight at each kill.
set -euo pipefail
source "${VIGIL_SOURCE_DIR:?}/tests/alerts/delivery_common.sh"
start_broker --topic alerts --partitions 4
broker_cmd "rtt 200"
N=10000
: > "$work/in_flight"
for k in 1 2 3 4 5 6; do
  # No timeout wrapper here: the kill must hit the publisher itself.
  "$TOOL" --brokers "$BROKERS" --topic alerts --cameras 8 --count $N --rate 1500 \
    --spool "$work/spool" --progress "$work/progress" --replayed "$work/in_flight" \
    2>> "$work/tool.err" &
  pid=$!
  child_pids+=("$pid")
  sleep "$((RANDOM % 2)).$((RANDOM % 10))$((RANDOM % 10))"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  next=$(( $(tail -n 1 "$work/progress" 2>/dev/null || echo -1) + 1 ))
  printf 'alert-%07d\n' "$next" >> "$work/in_flight"
  echo "kill $k: at alert $next"
done
timeout 120 "$TOOL" --brokers "$BROKERS" --topic alerts --cameras 8 --count $N --spool "$work/spool" \
  --progress "$work/progress" --replayed "$work/in_flight" 2>> "$work/tool.err"
grep -E 'pending in the spool|accepted=' "$work/tool.err"
read_back alerts "$work/ids"
count $N "$work/ids"
sort -u "$work/in_flight" > "$work/in_flight.sorted"
unexplained=$(comm -23 "$work/duplicated" "$work/in_flight.sorted" | wc -l)
echo "delivery: duplicates not in flight at a kill: $unexplained (in flight at kills: $(wc -l < "$work/in_flight.sorted"))"
[ "$LOST" -eq 0 ] && [ "$unexplained" -eq 0 ] || { echo "FAIL"; exit 1; }
echo "PASS"

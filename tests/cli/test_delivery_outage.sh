#!/usr/bin/env bash
# Delivery (b): the broker goes down in the middle of 10,000 alerts for 5 s, longer than
# message.timeout.ms (2 s), so librdkafka gives records up; the spool keeps them and the
# publisher produces them again after recovery: every alert_id arrives.
set -euo pipefail
source "${VIGIL_SOURCE_DIR:?}/tests/alerts/delivery_common.sh"
start_broker --topic alerts --partitions 4
timeout 120 "$TOOL" --brokers "$BROKERS" --topic alerts --cameras 8 --count 10000 --rate 2000 \
  --spool "$work/spool" --prop message.timeout.ms=2000 2> "$work/tool.err" &
tool=$!
child_pids+=("$tool")
sleep 1.5
broker_cmd down
sleep 5
broker_cmd up
wait "$tool" || { echo "FAIL: publisher exited $?"; cat "$work/tool.err"; exit 1; }
grep 'accepted=' "$work/tool.err"
failed=$(grep -o 'failed=[0-9]*' "$work/tool.err" | cut -d= -f2)
[ "$failed" -gt 0 ] || { echo "FAIL: the outage timed nothing out (failed=0): test did not test"; exit 1; }
read_back alerts "$work/ids"
count 10000 "$work/ids"
[ "$LOST" -eq 0 ] || { echo "FAIL: lost alerts"; exit 1; }
echo "PASS (timed-out deliveries retried: $failed)"

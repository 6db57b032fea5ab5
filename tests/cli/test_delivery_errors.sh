#!/usr/bin/env bash
# Delivery (d): the broker fails produce requests on command: retriable errors
# (REQUEST_TIMED_OUT, NOT_LEADER_FOR_PARTITION) that librdkafka retries itself, and a
# non-retriable one (MESSAGE_TOO_LARGE) that fails deliveries, which the publisher
# retries from the spool. Every alert_id arrives.
set -euo pipefail
source "${VIGIL_SOURCE_DIR:?}/tests/alerts/delivery_common.sh"
start_broker --topic alerts --partitions 4
timeout 120 "$TOOL" --brokers "$BROKERS" --topic alerts --cameras 8 --count 10000 --rate 2500 \
  --spool "$work/spool" 2> "$work/tool.err" &
tool=$!
child_pids+=("$tool")
sleep 0.5
broker_cmd "error produce REQUEST_TIMED_OUT 20"
[[ "$REPLY_LINE" == ok* ]] || { echo "FAIL: $REPLY_LINE"; exit 1; }
sleep 0.7
broker_cmd "error produce NOT_LEADER_FOR_PARTITION 10"
sleep 0.7
broker_cmd "error produce MSG_SIZE_TOO_LARGE 5"
sleep 0.7
broker_cmd "error produce 2 5"   # CORRUPT_MESSAGE, by number
wait "$tool" || { echo "FAIL: publisher exited $?"; cat "$work/tool.err"; exit 1; }
grep 'accepted=' "$work/tool.err"
read_back alerts "$work/ids"
count 10000 "$work/ids"
[ "$LOST" -eq 0 ] || { echo "FAIL: lost alerts"; exit 1; }
echo "PASS"

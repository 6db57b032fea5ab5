#!/usr/bin/env bash
# Delivery (a): 10,000 alerts through the spooled Kafka publisher to `vigil broker`,
# read back with kcat: all delivered, none twice.
set -euo pipefail
source "${VIGIL_SOURCE_DIR:?}/tests/alerts/delivery_common.sh"
start_broker --topic alerts --partitions 4
timeout 120 "$TOOL" --brokers "$BROKERS" --topic alerts --cameras 8 --count 10000 --spool "$work/spool"
read_back alerts "$work/ids"
count 10000 "$work/ids"
[ "$LOST" -eq 0 ] && [ "$DUPLICATES" -eq 0 ] || { echo "FAIL"; exit 1; }
# Nothing is left in the spool but the active segment, fully acknowledged.
[ "$(ls "$work/spool"/*.log | wc -l)" -eq 1 ] || { echo "FAIL: spool not emptied"; ls -l "$work/spool"; exit 1; }
echo "PASS"

# Shared by tests/cli/test_delivery*.sh and test_broker.sh: start `vigil broker`, send it
# commands, publish with alerts_tool_publish, read the topic back with kcat and count
# lost and duplicate alert ids. Sourced, not run.
VIGIL=${VIGIL:?path of the vigil binary}
BUILD=${VIGIL_BUILD_DIR:?build tree}
TOOL="$BUILD/tests/alerts/alerts_tool_publish"
work=$(mktemp -d)
broker_pid=""
child_pids=()

cleanup() {
  for p in "${child_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  if [ -n "$broker_pid" ]; then
    echo quit >&3 2>/dev/null || true
    exec 3>&- 2>/dev/null || true
    sleep 0.2
    kill "$broker_pid" 2>/dev/null || true
    wait "$broker_pid" 2>/dev/null || true
  fi
  if [ -n "${VIGIL_TEST_KEEP:-}" ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

command -v kcat >/dev/null || { echo "FAIL: kcat is not installed (scripts/install-deps.sh)"; exit 1; }
[ -x "$TOOL" ] || { echo "FAIL: $TOOL not built"; exit 1; }

# start_broker [ARGS...]: sets BROKERS to the bootstrap address.
start_broker() {
  mkfifo "$work/broker.in"
  "$VIGIL" broker "$@" < "$work/broker.in" > "$work/broker.out" 2> "$work/broker.err" &
  broker_pid=$!
  exec 3> "$work/broker.in"
  for _ in $(seq 100); do
    [ -s "$work/broker.out" ] && break
    sleep 0.1
  done
  BROKERS=$(head -n 1 "$work/broker.out")
  [[ "$BROKERS" =~ ^127\.0\.0\.1:[0-9]+ ]] || { echo "FAIL: broker printed '$BROKERS'"; cat "$work/broker.err"; exit 1; }
  echo "broker at $BROKERS"
}

# broker_cmd LINE: sends a command and waits for its reply line; prints the reply.
broker_cmd() {
  local before
  before=$(wc -l < "$work/broker.out")
  echo "$1" >&3
  for _ in $(seq 50); do
    [ "$(wc -l < "$work/broker.out")" -gt "$before" ] && break
    sleep 0.1
  done
  local reply
  reply=$(tail -n 1 "$work/broker.out")
  echo "broker: $1 -> $reply"
  REPLY_LINE=$reply
}

# read_back TOPIC FILE: every alert_id on the topic, one per line. (The mock broker keeps
# about 5 MB per partition: tests spread their alerts over keys and partitions.)
read_back() {
  timeout 60 kcat -C -b "$BROKERS" -t "$1" -e -q -f '%s\n' \
    | grep -o '"alert_id":"[^"]*"' | cut -d'"' -f4 > "$2"
}

# count N IDS: prints and sets LOST and DUPLICATES against alert-0000000..N-1.
count() {
  local n=$1 ids=$2
  seq -f 'alert-%07g' 0 $((n - 1)) > "$work/expected"
  sort "$ids" > "$work/got.sorted"
  sort -u "$ids" > "$work/got.unique"
  LOST=$(comm -23 "$work/expected" "$work/got.unique" | wc -l)
  DUPLICATES=$(( $(wc -l < "$work/got.sorted") - $(wc -l < "$work/got.unique") ))
  uniq -d "$work/got.sorted" > "$work/duplicated"
  echo "delivery: expected $n, received $(wc -l < "$ids"), unique $(wc -l < "$work/got.unique"), lost $LOST, duplicates $DUPLICATES"
}

#!/usr/bin/env bash
# vigil import end to end: both bundled TF.js models into model files whose header a
# plain safetensors reading accepts (checked here in Python, independently of vigil),
# with the expected summary; and for each kind of bad input a non-zero exit and a
# message naming the input.
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

# expect_error NAME PATTERN ARGS...: exit status 1 or 2 (not a crash), stderr holding
# NAME and PATTERN.
expect_error() {
  local name=$1 pattern=$2
  shift 2
  "$VIGIL" import "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ "$rc" -eq 0 ] || [ "$rc" -gt 2 ]; then
    fail "vigil import $*: exit status $rc, expected 1 or 2"
  elif ! grep -qF -- "$name" "$tmp/err" || ! grep -qiE -- "$pattern" "$tmp/err"; then
    fail "vigil import $*: stderr lacks '$name' and /$pattern/: $(cat "$tmp/err")"
  else
    echo "ok: $* -> $(head -c 200 "$tmp/err")"
  fi
}

# check_file FILE HEAD: the safetensors layout (8-byte length, JSON header, 64-byte
# aligned data tiled by the entries) and the vigil metadata.
check_file() {
  python3 - "$@" <<'PY'
import json, struct, sys
path, head = sys.argv[1], sys.argv[2]
data = open(path, 'rb').read()
n = struct.unpack('<Q', data[:8])[0]
header = json.loads(data[8:8 + n])
assert (8 + n) % 64 == 0, 'data section not 64-byte aligned'
meta = header.pop('__metadata__')
assert meta['vigil.format_version'] == '1'
size = {'F32': 4, 'F16': 2, 'BF16': 2, 'I32': 4, 'I64': 8, 'U8': 1}
end = 0
for name, t in sorted(header.items(), key=lambda kv: kv[1]['data_offsets']):
    begin, stop = t['data_offsets']
    assert begin == end, f'{name}: hole or overlap at {begin}'
    count = 1
    for d in t['shape']:
        count *= d
    assert stop - begin == count * size[t['dtype']], f'{name}: size'
    assert name.startswith('__pad') or begin % 64 == 0, f'{name}: not aligned'
    end = stop
assert end == len(data) - 8 - n, 'data not fully covered'
graph = json.loads(meta['vigil.graph'])
ops = [node['op'] for node in graph['nodes']]
assert ops.count('transpose') == 0, 'transposes left'
assert json.loads(meta['vigil.head'])['type'] == head
assert len(json.loads(meta['vigil.labels'])) == 80
print(f'{path}: {len(graph["nodes"])} nodes, {len(header)} entries, layout ok')
PY
}

for model in nanodet centernet; do
  json=$home/tfjs/$model.json
  if [ ! -f "$json" ]; then
    echo "skipped: $json is not in the asset cache"
    continue
  fi
  out=$tmp/$model.safetensors
  if ! "$VIGIL" import --from tfjs "$json" -o "$out" 2>"$tmp/err"; then
    fail "vigil import $model: $(cat "$tmp/err")"
    continue
  fi
  cat "$tmp/err"
  head=gfl
  [ "$model" = centernet ] && head=centernet
  grep -q "head $head" "$tmp/err" || fail "$model: summary lacks 'head $head'"
  grep -qE "conv2d [0-9]+" "$tmp/err" || fail "$model: summary lacks the op counts"
  grep -qE "[0-9.]+ GFLOPs" "$tmp/err" || fail "$model: summary lacks GFLOPs"
  check_file "$out" "$head" || fail "$model: bad model file"
  [ ! -e "$out.tmp" ] || fail "$model: temporary file left behind"
done

# Bad inputs.
expect_error "$tmp/none.json" "cannot open" --from tfjs "$tmp/none.json" -o "$tmp/x.safetensors"
printf '{"modelTopology": {"node": [' >"$tmp/cut.json"
expect_error "$tmp/cut.json" "not valid JSON" --from tfjs "$tmp/cut.json" -o "$tmp/x.safetensors"
printf '{"modelTopology": {"node": [{"name": "x", "op": "Placeholder", "attr": {"shape": {"shape": {"dim": [{"size": "1"}, {"size": "4"}]}}}}, {"name": "y", "op": "Erf", "input": ["x"]}]}, "weightsManifest": []}' >"$tmp/erf.json"
expect_error "$tmp/erf.json" "unsupported TF.js op 'Erf' at node 'y'" --from tfjs "$tmp/erf.json" -o "$tmp/x.safetensors"
expect_error "onnx" "unknown format" --from onnx "$tmp/cut.json" -o "$tmp/x.safetensors"
expect_error "-o" "give one MODEL.json" --from tfjs "$tmp/cut.json"
if [ -f "$home/tfjs/nanodet.json" ]; then
  cp "$home/tfjs/nanodet.json" "$tmp/short.json"
  head -c 1000000 "$home/tfjs/nanodet.bin" >"$tmp/nanodet.bin"
  expect_error "$tmp/nanodet.bin" "truncated" --from tfjs "$tmp/short.json" -o "$tmp/x.safetensors"
  expect_error "no-such-node" "not a node" --from tfjs "$home/tfjs/nanodet.json" -o "$tmp/x.safetensors" --output no-such-node
  expect_error "/nonexistent-dir/m.safetensors" "cannot create" --from tfjs "$home/tfjs/nanodet.json" -o /nonexistent-dir/m.safetensors
fi
[ ! -e "$tmp/x.safetensors" ] || fail "a failed import left $tmp/x.safetensors behind"

"$VIGIL" import --help | grep -q "usage: vigil import" || fail "--help"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "all import checks passed"

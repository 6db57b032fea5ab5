# Sourced by the pipeline scripts: points GStreamer at the vigil plugin of a build tree
# and checks that the elements a script needs are there.
#   VIGIL_BUILD_DIR  build tree whose plugins/ holds libgstvigil.so (default: <repo>/build)
#   VIGIL_HOME       models and vtest.avi (default: ~/.cache/vigil)

vigil_repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vigil_build=$(realpath -m "${VIGIL_BUILD_DIR:-$vigil_repo/build}")
vigil_home=${VIGIL_HOME:-$HOME/.cache/vigil}
export GST_PLUGIN_PATH="$vigil_build/plugins${GST_PLUGIN_PATH:+:$GST_PLUGIN_PATH}"

# vigil_require ELEMENT [WHY]: exits 2, saying what is missing, unless ELEMENT exists.
vigil_require() {
  if ! gst-inspect-1.0 "$1" >/dev/null 2>&1; then
    echo "${0##*/}: GStreamer has no element $1${2:+ ($2)}." >&2
    echo "  Looked in GST_PLUGIN_PATH=$GST_PLUGIN_PATH; build the plugin with" >&2
    echo "  cmake -S $vigil_repo -B $vigil_build && cmake --build $vigil_build --target gstvigil" >&2
    exit 2
  fi
}

# vigil_uri PATH_OR_URI: a URI for vigilcamsrc (file paths become file:// URIs).
vigil_uri() {
  case "$1" in
    *://*) printf '%s\n' "$1" ;;
    *) printf 'file://%s\n' "$(realpath "$1")" ;;
  esac
}

# vigil_is_live URI: "false" for files (processed as fast as the pipeline goes),
# "true" for cameras.
vigil_is_live() {
  case "$1" in
    file://*) echo false ;;
    *) echo true ;;
  esac
}

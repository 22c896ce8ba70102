#!/bin/bash
# Builds the libFuzzer targets with Bazel (--config=fuzz: clang-14,
# -fsanitize=fuzzer,address,undefined; see .bazelrc and fuzz/BUILD) and
# copies them where fuzz/run.sh looks for them.
#
#   fuzz/build.sh [OUT_DIR]     default: ${TMPDIR:-/tmp}/kvstore-fuzz
#
# Writes OUT_DIR/{segment,cli,value,dump}_fuzzer and OUT_DIR/make_seeds.
# Installs clang-14 and libclang-rt-14-dev (libFuzzer) from the Debian
# archive if they are missing (as root, or through sudo); ./bazelw installs
# the libraries. Works offline otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-${TMPDIR:-/tmp}/kvstore-fuzz}
TARGETS="segment_fuzzer cli_fuzzer value_fuzzer dump_fuzzer record_fuzzer make_seeds"
mkdir -p "$OUT"

# ---- Toolchain ----
PACKAGES="clang-14 libclang-rt-14-dev"
missing=""
for pkg in $PACKAGES; do
  case "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)" in
    *" installed") ;;
    *) missing="$missing $pkg" ;;
  esac
done
if [ -n "$missing" ]; then
  echo "fuzz/build.sh: installing missing Debian packages:$missing" >&2
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq >&2
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
    --no-install-recommends $missing >&2
fi

# ---- Fuzzers ----
cd "$ROOT"
./bazelw build --config=fuzz //fuzz:fuzzers
bin=$(./bazelw info --config=fuzz bazel-bin 2>/dev/null)
for target in $TARGETS; do
  # Copies, not links: the next build of another config must not change
  # what a running fuzzer executes.
  install -m 0755 "$bin/fuzz/$target" "$OUT/$target"
done

echo "fuzz/build.sh: built $TARGETS in $OUT" >&2

#!/bin/bash
# Builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,undefined)
# straight from the sources, outside Bazel: Bazel 4 here is configured for
# the system gcc, and libFuzzer needs clang.
#
#   fuzz/build.sh [OUT_DIR]     default: ${TMPDIR:-/tmp}/kvstore-fuzz
#
# Writes OUT_DIR/{segment,cli,value}_fuzzer and OUT_DIR/make_seeds. Installs
# clang and libclang-rt-14-dev (libFuzzer) from the Debian archive if they
# are missing (as root, or through sudo). Works offline otherwise.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=${1:-${TMPDIR:-/tmp}/kvstore-fuzz}
mkdir -p "$OUT/obj"

# ---- Toolchain ----
PACKAGES="clang-14 libclang-rt-14-dev libabsl-dev libxxhash-dev"
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
CXX=${CXX:-clang++-14}

# Link flags of the system Abseil: the same list as //third_party:absl, read
# from its BUILD file so that the two cannot drift apart.
ABSL_LIBS=$(awk '/name = "absl"/ {on = 1} on && /\]/ {exit}
                 on { if (match($0, /"-[^"]*"/)) print substr($0, RSTART + 1, RLENGTH - 2) }' \
            "$ROOT/third_party/BUILD" | tr '\n' ' ')
if [ -z "$ABSL_LIBS" ]; then
  echo "fuzz/build.sh: could not read Abseil's link flags from third_party/BUILD" >&2
  exit 1
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CXXFLAGS="-std=c++17 -O1 -g -fno-omit-frame-pointer -I$ROOT -Wno-unused-parameter"
LIBS="$ABSL_LIBS -lxxhash -lhiredis -lrt -pthread"

# ---- Library and harness objects (instrumented for coverage) ----
SOURCES=$(cd "$ROOT" && ls kvstore/*.cc kvstore/internal/*.cc kvstore/tier/*.cc \
            kvstore/tier/internal/*.cc cli/*.cc \
            fuzz/*_harness.cc | grep -v '^cli/main\.cc$')
compile() {
  local src=$1 obj
  obj="$OUT/obj/$(echo "$src" | tr '/' '_' | sed 's/\.cc$/.o/')"
  if [ ! -f "$obj" ] || [ "$ROOT/$src" -nt "$obj" ] ||
     [ -n "$(find "$ROOT/kvstore" "$ROOT/cli" "$ROOT/fuzz" -name '*.h' -newer "$obj" -print -quit)" ]; then
    # shellcheck disable=SC2086
    if ! $CXX $CXXFLAGS $SAN -fsanitize=fuzzer-no-link -c "$ROOT/$src" \
        -o "$obj"; then
      # A library file clang rejects (gcc is more lenient) is left out; if
      # a fuzzer needs it, linking fails below and says so.
      echo "fuzz/build.sh: warning: $src does not compile with clang; left out" >&2
      rm -f "$obj"
      return 0
    fi
  fi
  echo "$obj"
}
export -f compile
export ROOT OUT CXX CXXFLAGS SAN
OBJS=$(printf '%s\n' $SOURCES | xargs -P "$(nproc)" -I{} bash -c 'compile {}' | sort)

# ---- Fuzzers ----
for target in segment_fuzzer cli_fuzzer value_fuzzer dump_fuzzer record_fuzzer; do
  # shellcheck disable=SC2086
  $CXX $CXXFLAGS $SAN -fsanitize=fuzzer "$ROOT/fuzz/$target.cc" $OBJS \
    -o "$OUT/$target" $LIBS
done

# ---- Seed maker (not a fuzzer: its own main) ----
# shellcheck disable=SC2086
$CXX $CXXFLAGS $SAN -fsanitize=fuzzer-no-link "$ROOT/fuzz/make_seeds.cc" \
  $OBJS -o "$OUT/make_seeds" $LIBS

echo "fuzz/build.sh: built segment_fuzzer cli_fuzzer value_fuzzer dump_fuzzer make_seeds in $OUT" >&2

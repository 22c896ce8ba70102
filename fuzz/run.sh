#!/bin/bash
# Runs one fuzzer for a bounded time over a copy of its corpus.
#
#   fuzz/run.sh TARGET SECONDS [OUT_DIR]
#
# TARGET is segment_fuzzer, cli_fuzzer, value_fuzzer or dump_fuzzer, built by
# fuzz/build.sh into OUT_DIR (default ${TMPDIR:-/tmp}/kvstore-fuzz). New
# inputs go to OUT_DIR/corpus/TARGET (fuzz/corpus/ is only read; copy
# interesting finds there by hand), crashes to OUT_DIR/artifacts/TARGET/.
# Exits non-zero if the fuzzer found a crash, leak, timeout or broken
# property. The last lines of the log are libFuzzer's final statistics.
set -uo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TARGET=${1:?usage: fuzz/run.sh TARGET SECONDS [OUT_DIR]}
SECONDS_TO_RUN=${2:?usage: fuzz/run.sh TARGET SECONDS [OUT_DIR]}
OUT=${3:-${TMPDIR:-/tmp}/kvstore-fuzz}

case "$TARGET" in
  # A segment input carries a 4 KiB data area header page and up to 4 KiB
  # of data area after a table of up to 22 96-byte slots, then operations.
  segment_fuzzer) MAX_LEN=16384 ;;
  cli_fuzzer | value_fuzzer | record_fuzzer) MAX_LEN=512 ;;
  # A dump: a header and a few blocks of entries.
  dump_fuzzer) MAX_LEN=8192 ;;
  *) echo "fuzz/run.sh: unknown target $TARGET" >&2; exit 2 ;;
esac
[ -x "$OUT/$TARGET" ] || { echo "fuzz/run.sh: $OUT/$TARGET missing; run fuzz/build.sh" >&2; exit 2; }

mkdir -p "$OUT/corpus/$TARGET" "$OUT/artifacts/$TARGET"
# While a found bug is open, an `export KVSTORE_FUZZ_SKIP_<BUG>=1` here
# keeps the segment fuzzer from stopping at it (see segment_harness.h and
# fuzz/README.md, "Bugs found"); remove it with the fix.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
"$OUT/$TARGET" \
  -max_total_time="$SECONDS_TO_RUN" -timeout=20 -rss_limit_mb=2048 \
  -max_len="$MAX_LEN" -print_final_stats=1 \
  -artifact_prefix="$OUT/artifacts/$TARGET/" \
  "$OUT/corpus/$TARGET" "$ROOT/fuzz/corpus/$TARGET" &
pid=$!
wait "$pid"
rc=$?
# A crashed run leaves its store behind; remove only this run's.
rm -f "/dev/shm/kvfuzz-$pid-"* "/dev/shm/kvfuzz-cli-$pid-"* 2>/dev/null
exit $rc

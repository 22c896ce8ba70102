#!/bin/bash
# `kvstore completion bash`, loaded into bash, completes the commands that
# `kvstore --help` lists, each command's flags, flag values, and the names
# of the stores in /dev/shm. COMP_WORDS is given as bash splits a line
# (with '=' breaking words, as in its default COMP_WORDBREAKS). The store
# it makes is destroyed on exit, failed or not.
set -uo pipefail

kvstore=${TEST_SRCDIR:?}/kvstore/cli/kvstore
store="/kvtest_completion_$$_${RANDOM}${RANDOM}"
failures=0

cleanup() { "$kvstore" --store="$store" destroy >/dev/null 2>&1; }
trap cleanup EXIT

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# complete WORD... : the completions bash offers with the cursor at the end
# of the last WORD, one per line, sorted.
complete_words() {
  COMP_WORDS=("$@")
  COMP_CWORD=$(($# - 1))
  COMP_LINE="$*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _kvstore kvstore "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {  # expect "WANTED (lines)" WORD...
  local wanted=$1
  shift
  local got
  got=$(complete_words "$@")
  [ "$got" = "$wanted" ] || fail "completing '$*': got
$got
wanted
$wanted"
}

script=$("$kvstore" completion bash) || fail "completion bash exited $?"
# shellcheck disable=SC1090
source <(printf '%s\n' "$script") || fail "the script does not load"
[ "$(complete -p kvstore)" = "complete -F _kvstore kvstore" ] ||
  fail "no completion registered for kvstore"

# Commands: the ones `kvstore --help` lists, completed from a prefix.
listed=$("$kvstore" --help |
  sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p' | sort)
[ "$(echo "$listed" | wc -l)" -ge 30 ] || fail "--help lists only: $listed"
expect "$listed" kvstore ''
expect "$(printf 'get\ngetdel')" kvstore ge
expect "$(printf 'get\ngetdel')" kvstore --store=/x ge
expect "$(printf 'get\ngetdel')" kvstore --store = /x ge
expect "$(printf 'get\ngetdel')" kvstore --store /x ge
expect "reset-lock" kvstore rese
expect "schema" kvstore help sch
expect "bash" kvstore completion ''

# Flags: the command's own (a flag with a value ends in '='), and the
# global ones before a command.
expect "--with-version" kvstore get k --wi
expect "$(printf -- '--if-version=')" kvstore cas k v --if
expect "$(printf -- '--nx')" kvstore set k v --n
expect "$(printf -- '--raw\n--redis=')" kvstore get k --r
expect "$(printf -- '--help\n--prefix=\n--redis=\n--store=\n--yes')" \
  kvstore --store=/a del k --
expect "$(printf -- '--help\n--redis=\n--store=\n--version')" kvstore --
expect "" kvstore exists k --json

# Flag values.
expect "$(printf 'int64')" kvstore set k 1 --type = in
expect "$(printf -- '--type=int64')" kvstore set k 1 --type=in
expect "$(printf 'clock')" kvstore create --eviction c

# Store names, from /dev/shm.
"$kvstore" --store="$store" create --capacity=16 || fail "create $store"
expect "$store" kvstore --store = "$store"
expect "$store" kvstore --store = "${store%_*}"
expect "$store" kvstore get k --store "${store%_*}"
expect "--store=$store" kvstore "--store=${store%_*}"
complete_words kvstore --store = | grep -qx -- "$store" ||
  fail "$store is not among the stores: $(complete_words kvstore --store =)"

if [ "$failures" -ne 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo PASS

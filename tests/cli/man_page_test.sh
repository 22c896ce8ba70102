#!/bin/bash
# `kvstore help --man` is the manual page made from the --help texts: it
# has the sections of a man page, a subsection for every command that
# `kvstore --help` lists (in that order) with that command's usage line,
# and groff renders it without a warning (checked where groff is
# installed; Debian's groff-base provides it).
set -uo pipefail

kvstore=${TEST_SRCDIR:?}/kvstore/cli/kvstore
failures=0
fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

page=$("$kvstore" help --man) || fail "help --man exited $?"
for section in '.TH KVSTORE 1 ' '.SH NAME' '.SH SYNOPSIS' '.SH DESCRIPTION' \
               '.SH COMMANDS' '.SH ENVIRONMENT'; do
  grep -q "^$section" <<<"$page" || fail "no '$section' line"
done

listed=$("$kvstore" --help |
  sed -n '/^Commands:/,/^$/p' | sed -n 's/^  \([a-z][a-z-]*\).*/\1/p')
[ "$(echo "$listed" | wc -l)" -ge 30 ] || fail "--help lists only: $listed"
subsections=$(sed -n 's/^\.SS //p' <<<"$page" | sed 's/\\-/-/g')
[ "$subsections" = "$listed" ] || fail "the page's commands:
$subsections
differ from --help's:
$listed"
# Each command's subsection holds its usage line, as --help prints it.
for command in $listed; do
  usage=$("$kvstore" help "$command" | head -n 1 | sed 's/-/\\-/g')
  grep -qxF -- "$usage" <<<"$page" || fail "no usage line for $command: $usage"
done

if "$kvstore" help --man get >/dev/null 2>&1; then
  fail "help --man COMMAND is not refused"
fi

if command -v groff >/dev/null; then
  warnings=$(groff -man -Tutf8 -ww -z <<<"$page" 2>&1)
  [ -z "$warnings" ] || fail "groff warns: $warnings"
  text=$(groff -man -Tutf8 <<<"$page" 2>/dev/null | sed 's/.\x08//g')
  grep -q 'kvstore cas KEY NEW --if-version=N' <<<"$text" ||
    fail "the rendered page lacks cas's usage: $text"
else
  echo "groff not installed: rendering not checked"
fi

if [ "$failures" -ne 0 ]; then
  echo "$failures failures"
  exit 1
fi
echo PASS

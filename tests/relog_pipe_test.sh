#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Tests of relog_pipe (sinks/relog_pipe.cc): every input line arrives as
# one entry, exactly; the level flag; RELOG_SINKS; bad flags exit 2 before
# creating anything.
set -euo pipefail

pipe="${TEST_SRCDIR}/${TEST_WORKSPACE}/sinks/relog_pipe"
tmp="${TEST_TMPDIR}"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# 1000 lines: empty ones, tabs, runs of spaces, a backslash, UTF-8.
awk 'BEGIN {
  for (i = 0; i < 1000; i++) {
    if (i % 7 == 3) print "";
    else if (i % 5 == 1) printf "line %d\twith\ttabs\t\n", i;
    else printf "line %d  two  spaces \\ backslash \303\251\n", i;
  }
}' > "$tmp/in.txt"
[ "$(wc -l < "$tmp/in.txt")" -eq 1000 ] || fail "the generator made $(wc -l < "$tmp/in.txt") lines"

# The message as written by %v: control characters escaped (a tab as \t).
sed 's/\t/\\t/g' "$tmp/in.txt" > "$tmp/expected.txt"
if ! "$pipe" --sinks="file:$tmp/out.log,pattern=%v" < "$tmp/in.txt" 2> "$tmp/stderr.txt"; then
  fail "relog_pipe exited $? on good input; stderr: $(cat "$tmp/stderr.txt")"
fi
if ! cmp -s "$tmp/expected.txt" "$tmp/out.log"; then
  fail "out.log differs from the input:"
  diff "$tmp/expected.txt" "$tmp/out.log" | head -20 >&2 || true
fi
[ ! -s "$tmp/stderr.txt" ] || fail "unexpected stderr: $(cat "$tmp/stderr.txt")"

# JSON: one object per line, the message as a JSON string.
"$pipe" --sinks="file:$tmp/out.json,format=json" < "$tmp/in.txt"
[ "$(wc -l < "$tmp/out.json")" -eq 1000 ] || fail "out.json has $(wc -l < "$tmp/out.json") lines"
grep -q '"msg":"line 1\\twith\\ttabs\\t"' "$tmp/out.json" || fail "line 1 missing from out.json"
[ "$(grep -c '"msg":""' "$tmp/out.json")" -eq 143 ] || fail "empty lines missing from out.json"

# A last line without a newline is a line; --level sets the entries' level.
printf 'first\nlast without newline' |
  "$pipe" --level=warn --sinks="file:$tmp/level.log,pattern=%l %v"
printf 'WARN first\nWARN last without newline\n' > "$tmp/level_expected.txt"
cmp -s "$tmp/level_expected.txt" "$tmp/level.log" || fail "level.log: $(cat "$tmp/level.log")"

# No --sinks: RELOG_SINKS.
echo "from the environment" |
  RELOG_SINKS="file:$tmp/env.log,pattern=%v" "$pipe"
[ "$(cat "$tmp/env.log")" = "from the environment" ] || fail "env.log: $(cat "$tmp/env.log")"

# Bad spec: exit 2, the error on stderr, nothing created.
status=0
echo "never logged" |
  "$pipe" --sinks="file:$tmp/bad.log;fiel:/x" 2> "$tmp/bad_stderr.txt" || status=$?
[ "$status" -eq 2 ] || fail "bad spec: exit status $status, expected 2"
grep -q "unknown kind 'fiel' at position" "$tmp/bad_stderr.txt" ||
  fail "bad spec: stderr was: $(cat "$tmp/bad_stderr.txt")"
[ ! -e "$tmp/bad.log" ] || fail "bad spec: $tmp/bad.log was created"

# Bad spec in RELOG_SINKS: the same.
status=0
echo "never logged" |
  RELOG_SINKS="file:$tmp/bad_env.log,level=loud" "$pipe" 2> "$tmp/bad_env_stderr.txt" || status=$?
[ "$status" -eq 2 ] || fail "bad RELOG_SINKS: exit status $status, expected 2"
grep -q "RELOG_SINKS: sink spec: bad level 'loud'" "$tmp/bad_env_stderr.txt" ||
  fail "bad RELOG_SINKS: stderr was: $(cat "$tmp/bad_env_stderr.txt")"
[ ! -e "$tmp/bad_env.log" ] || fail "bad RELOG_SINKS: $tmp/bad_env.log was created"

# Bad level: exit 2, nothing created.
status=0
echo "never logged" |
  "$pipe" --level=loud --sinks="file:$tmp/bad_level.log" 2> "$tmp/bad_level_stderr.txt" || status=$?
[ "$status" -eq 2 ] || fail "bad level: exit status $status, expected 2"
grep -q "loud" "$tmp/bad_level_stderr.txt" || fail "bad level: stderr was: $(cat "$tmp/bad_level_stderr.txt")"
[ ! -e "$tmp/bad_level.log" ] || fail "bad level: $tmp/bad_level.log was created"

# A spec that fails at its second sink (a directory that does not exist):
# exit 2, and the first sink's file is not left behind.
status=0
echo "never logged" |
  "$pipe" --sinks="file:$tmp/first.log;file:$tmp/nodir/x.log" 2> "$tmp/half_stderr.txt" || status=$?
[ "$status" -eq 2 ] || fail "half-made spec: exit status $status, expected 2"
grep -q "cannot create file:$tmp/nodir/x.log" "$tmp/half_stderr.txt" ||
  fail "half-made spec: stderr was: $(cat "$tmp/half_stderr.txt")"
[ ! -e "$tmp/first.log" ] || fail "half-made spec: $tmp/first.log was left behind"

# A huge bad token is quoted as a short excerpt, not whole.
status=0
huge=$(head -c 100000 /dev/zero | tr '\0' 'k')
echo "never logged" | "$pipe" --sinks="${huge}:/x" 2> "$tmp/huge_stderr.txt" || status=$?
[ "$status" -eq 2 ] || fail "huge token: exit status $status, expected 2"
[ "$(wc -c < "$tmp/huge_stderr.txt")" -lt 600 ] ||
  fail "huge token: the error is $(wc -c < "$tmp/huge_stderr.txt") bytes"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)" >&2
  exit 1
fi
echo "PASS"

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# A bad field name does not compile, and the compiler's error says why:
# each snippet below is compiled against relog's headers (as a consumer
# includes them, relog/<folder>/<name>.h) with g++ -fsyntax-only, and must
# fail naming the problem; a good one, the control, must compile.
set -euo pipefail

root="${TEST_SRCDIR}/${TEST_WORKSPACE}"
tmp="${TEST_TMPDIR}"
mkdir -p "$tmp/include"
ln -sfn "$root" "$tmp/include/relog"
failures=0

# check NAME EXPECTED CODE: compiles CODE in a function body; EXPECTED is
# "ok" or the text the error must hold.
check() {
  local name="$1" expected="$2" code="$3"
  printf '#include "relog/logger/logger.h"\nvoid F(relog::Logger& log, int i) {\n  %s\n}\n' \
    "$code" > "$tmp/$name.cc"
  if g++ -std=c++20 -fsyntax-only -I"$tmp/include" "$tmp/$name.cc" \
      > "$tmp/$name.err" 2>&1; then
    if [ "$expected" != ok ]; then
      echo "FAIL: $name compiled; expected an error with $expected" >&2
      failures=$((failures + 1))
    fi
  elif [ "$expected" = ok ]; then
    echo "FAIL: $name did not compile:" >&2
    head -20 "$tmp/$name.err" >&2
    failures=$((failures + 1))
  elif ! grep -q "$expected" "$tmp/$name.err"; then
    echo "FAIL: $name: the error does not say $expected:" >&2
    head -20 "$tmp/$name.err" >&2
    failures=$((failures + 1))
  fi
}

check good ok 'RELOG_INFO(log, "order {order_id} by {user}", i, "bob"); auto ctx = log.With({{"service", "api"}}); relog::ScopedFields f{{"request_id", i}};'
check dash field_name_is_not_an_identifier 'RELOG_INFO(log, "order {order-id}", i);'
check twice field_name_is_used_twice_in_the_format 'RELOG_INFO(log, "{user} and {user}", i, i);'
check reserved field_name_is_a_key_relog_json_writes_itself 'RELOG_INFO(log, "{msg}", i);'
check indexed named_format_has_an_explicit_argument_index 'RELOG_INFO(log, "{0} {user}", i, i);'
check count "argument not found\|argument index out of range" 'RELOG_INFO(log, "{a} {b}", i);'
check context_dash field_name_is_not_an_identifier 'auto ctx = log.With({{"request-id", i}});'
check scoped_reserved field_name_is_a_key_relog_json_writes_itself 'relog::ScopedFields f{{"level", i}};'

if [ "$failures" -ne 0 ]; then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed"

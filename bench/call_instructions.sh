#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Instructions per call on the calling thread: format-only against RELOG_INFO
# (bench/call_cost.cc), counted by valgrind's callgrind, which counts the
# same on a quiet machine and a busy one.
#
#   ./bazelw run //bench:call_instructions
set -euo pipefail

if ! command -v valgrind >/dev/null; then
  echo "call_instructions: valgrind is not installed (sudo apt-get install valgrind)" >&2
  exit 2
fi

binary="${1:-bench/call_cost}"
[[ -x "$binary" ]] || { echo "call_instructions: no $binary" >&2; exit 2; }
calls=200000
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

count() {  # count FUNCTION: instructions executed inside FUNCTION
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" \
    --collect-atstart=no --toggle-collect="$1" "$binary" \
    >"$tmp/stdout" 2>"$tmp/stderr" || {
      cat "$tmp/stderr" >&2; exit 1; }
  sed -n 's/.*I *refs: *//p' "$tmp/stderr" | tr -d ,
}

format=$(count '*FormatLoop*')
log=$(count '*LogLoop*')
awk -v f="$format" -v l="$log" -v n="$calls" 'BEGIN {
  printf "instructions per call (calling thread, callgrind)\n"
  printf "  format only      %7.0f\n", f / n
  printf "  RELOG_INFO       %7.0f\n", l / n
  printf "  ratio            %7.3f\n", l / f
}'

#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# Instructions per call on the calling thread: format-only against RELOG_INFO
# and Logger::Log (bench/call_cost.cc), counted by valgrind's callgrind, which counts the
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

floor_runtime=$(count '*FloorRuntime*')
floor_compiled=$(count '*FloorCompiled*')
macro=$(count '*CallMacro*')
runtime=$(count '*CallRuntime*')
awk -v fr="$floor_runtime" -v fc="$floor_compiled" -v m="$macro" \
    -v r="$runtime" -v n="$calls" 'BEGIN {
  printf "instructions per call (calling thread, callgrind)\n"
  printf "  format only, parsed at run time   %6.0f\n", fr / n
  printf "  format only, compiled             %6.0f\n", fc / n
  printf "  RELOG_INFO (deferred, the default) %5.0f  %.3fx the first, %.3fx the second\n", m / n, m / fr, m / fc
  printf "  Logger::Log (run-time format)     %6.0f  %.3fx the first\n", r / n, r / fr
}'

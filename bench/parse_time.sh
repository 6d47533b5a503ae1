#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# What including relog costs a translation unit, next to spdlog: the time
# g++ -fsyntax-only takes on a file holding only `#include "relog/relog.h"`,
# and on one holding only spdlog's header in its compiled mode
# (SPDLOG_COMPILED_LIB, with the system fmt: Debian's libspdlog-dev). The two
# are run in turn, RUNS times each, and the medians of wall and CPU time
# printed, with the preprocessed line count and the number of headers each
# pulls in.
#
#   bench/parse_time.sh [RUNS=9]
#
# Run from the repository root; needs g++ and Debian's fmt, Abseil and
# spdlog headers (what ./bazelw installs).
set -euo pipefail
runs="${1:-9}"
cxx="${CXX:-g++}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
# relog's headers as a consumer includes them: relog/<folder>/<name>.h.
mkdir -p "$dir/include"
ln -s "$(pwd -P)" "$dir/include/relog"

echo '#include "relog/relog.h"' >"$dir/relog.cc"
printf '%s\n' '#define SPDLOG_COMPILED_LIB' '#define SPDLOG_FMT_EXTERNAL' \
  '#include <spdlog/spdlog.h>' >"$dir/spdlog.cc"
flags=(-std=c++20 -I"$dir/include")

# "<wall ms>,<cpu ms>" of one -fsyntax-only run of FILE (CPU: user + system,
# which other work on a shared machine disturbs less than wall time).
one_run() {
  local TIMEFORMAT='%R %U %S' t
  t=$({ time "$cxx" "${flags[@]}" -fsyntax-only "$1" 2>&1; } 2>&1 | tail -1)
  awk '{ printf "%d,%d", $1 * 1000, ($2 + $3) * 1000 }' <<<"$t"
}

median() { sort -n | sed -n "$(((runs + 1) / 2))p"; }

relog_times=()
spdlog_times=()
for ((r = 0; r < runs; ++r)); do
  relog_times+=("$(one_run "$dir/relog.cc")")
  spdlog_times+=("$(one_run "$dir/spdlog.cc")")
done

printf '%-34s %10s %10s %14s %9s\n' "header (g++ -fsyntax-only)" "wall ms" \
  "cpu ms" "preprocessed" "headers"
for name in relog spdlog; do
  declare -n times="${name}_times"
  lines=$("$cxx" "${flags[@]}" -E "$dir/$name.cc" | wc -l)
  headers=$("$cxx" "${flags[@]}" -fsyntax-only -H "$dir/$name.cc" 2>&1 |
    grep -c '^\.')
  label="$([ $name = relog ] && echo 'relog/relog.h' ||
    echo 'spdlog/spdlog.h (compiled mode)')"
  printf '%-34s %10s %10s %14s %9s\n' "$label" \
    "$(printf '%s\n' "${times[@]}" | cut -d, -f1 | median)" \
    "$(printf '%s\n' "${times[@]}" | cut -d, -f2 | median)" "$lines" "$headers"
done
echo "medians of $runs runs each, interleaved; all runs (wall,cpu ms):" \
  "relog ${relog_times[*]}; spdlog ${spdlog_times[*]}"

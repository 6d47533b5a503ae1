#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# What a RELOG_INFO call site costs in code and compile time, in each of the
# four builds of the macros: formatting deferred to the sink side or done on
# the caller (RELOG_DEFERRED_FORMATTING), with compiled or run-time parsed
# formats (RELOG_COMPILE_FORMATS). A translation unit with N call sites of
# the standard message (each with its own format text, as real call sites
# have) is compiled with g++ -O2, and so is one with none; the difference,
# over N, is the cost per call site: bytes of code (.text and the other
# sections `size` counts) and milliseconds of compile time (median of the
# runs).
#
#   bench/call_site_cost.sh [N=200] [RUNS=3]
#
# Run from the repository root; needs g++ and Debian's fmt and Abseil
# headers (what ./bazelw installs).
set -euo pipefail
n="${1:-200}"
runs="${2:-3}"
cxx="${CXX:-g++}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
# relog's headers as a consumer includes them: relog/<folder>/<name>.h.
mkdir -p "$dir/include"
ln -s "$(pwd -P)" "$dir/include/relog"

make_tu() {  # make_tu SITES FILE
  {
    echo '#include "relog/logger/logger.h"'
    echo 'void Sites(relog::Logger& log, int i, double d, const char* s) {'
    for ((k = 0; k < $1; ++k)); do
      echo "  RELOG_INFO(log, \"Logging int: {}, double: {}, string: {} (site $k)\", i + $k, d, s);"
    done
    echo '}'
  } >"$2"
}

# Prints "<bytes> <milliseconds>" for FILE built with the extra flags.
measure() {
  local file="$1"
  shift
  local times=()
  for ((r = 0; r < runs; ++r)); do
    local start end
    start=$(date +%s%N)
    "$cxx" -std=c++20 -O2 -I. -I"$dir/include" "$@" -c "$file" -o "$dir/out.o"
    end=$(date +%s%N)
    times+=($(((end - start) / 1000000)))
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(((runs + 1) / 2))p")
  local bytes
  bytes=$(size "$dir/out.o" | awk 'NR == 2 { print $4 }')
  echo "$bytes $median"
}

make_tu 0 "$dir/none.cc"
make_tu "$n" "$dir/sites.cc"
printf '%-34s %14s %16s\n' "build ($n call sites)" "bytes/site" "ms/site"
for deferred in 1 0; do
  for compiled in 1 0; do
    flags=(-DRELOG_DEFERRED_FORMATTING=$deferred -DRELOG_COMPILE_FORMATS=$compiled)
    read -r b0 t0 < <(measure "$dir/none.cc" "${flags[@]}")
    read -r b1 t1 < <(measure "$dir/sites.cc" "${flags[@]}")
    label="$([ $deferred = 1 ] && echo deferred || echo eager), $([ $compiled = 1 ] && echo compiled || echo run-time) format"
    printf '%-34s %14.0f %16.1f\n' "$label" \
      "$(awk -v a="$b1" -v b="$b0" -v n="$n" 'BEGIN { print (a - b) / n }')" \
      "$(awk -v a="$t1" -v b="$t0" -v n="$n" 'BEGIN { print (a - b) / n }')"
  done
done

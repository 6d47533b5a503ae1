#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bazel's coverage merger for one test: turns the gcov data the test left in
# COVERAGE_DIR into one lcov file at COVERAGE_OUTPUT_FILE. Needs gcov and
# lcov's geninfo when they are installed; otherwise writes an empty report.
set -u
out="${COVERAGE_OUTPUT_FILE:-}"
[ -n "$out" ] || exit 0
: > "$out"
dir="${COVERAGE_DIR:-}"
if [ -n "$dir" ] && command -v geninfo >/dev/null 2>&1; then
  geninfo --quiet --output-filename "$out" "$dir" 2>/dev/null || : > "$out"
fi
exit 0

#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Bazel's combined coverage report: concatenates the per-test lcov files
# listed in --reports_file into --output_file.
set -u
reports="" output=""
for arg in "$@"; do
  case "$arg" in
    --reports_file=*) reports="${arg#*=}" ;;
    --output_file=*) output="${arg#*=}" ;;
  esac
done
[ -n "$output" ] || exit 0
: > "$output"
if [ -n "$reports" ] && [ -f "$reports" ]; then
  while IFS= read -r f; do
    [ -f "$f" ] && cat "$f" >> "$output"
  done < "$reports"
fi
exit 0

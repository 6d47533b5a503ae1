#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# run_test.sh DIR PROGRAM [ARGS...]: runs one CTest test the way `bazel test`
# runs it: in a fresh, empty $TEST_TMPDIR (DIR, emptied first, so a second
# run starts clean as under Bazel). The rest of Bazel's test environment
# (TEST_SRCDIR, TEST_WORKSPACE, TZ, ...) comes from the test's ENVIRONMENT
# property (tests/CMakeLists.txt).
set -e
dir=$1
shift
rm -rf "$dir"
mkdir -p "$dir"
# Its physical path, as Bazel's is: tests compare paths with what
# /proc/self/fd links to.
TEST_TMPDIR=$(cd "$dir" && pwd -P)
export TEST_TMPDIR
exec "$@"

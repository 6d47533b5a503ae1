// SPDX-License-Identifier: Apache-2.0
//
// bench/load_child.h: the load program's parent/child protocol. The parent
// runs nothing itself: each (logger, workload, threads, repeat) is a child
// started afresh by exec of /proc/self/exe with
// --child=LOGGER:WORKLOAD:THREADS and the run's settings as flags, so that
// its peak RSS and allocations are its own. The child prints one JSON
// result line (ToJsonLine() with the curve) on its stdout, a pipe to the
// parent, and nothing else.
//
// Both functions are called from the process's main thread.

#ifndef RELOG_BENCH_LOAD_CHILD_H_
#define RELOG_BENCH_LOAD_CHILD_H_

#include <string>

#include "absl/status/statusor.h"
#include "bench/load_flags.h"
#include "bench/load_result.h"
#include "bench/load_workload.h"

namespace relog::load {

// ChildMain(): the child's side: runs `s` (whose spec is the --child flag)
// and writes its result line to stdout. Returns the process's exit code.
int ChildMain(const Settings& s);

// RunChild(): the parent's side: starts a child for `spec` with the
// settings of `s` (but `spec`, and `child_file` as its file) and returns
// its result. Shows a progress line on a terminal when the run takes longer
// than two seconds.
absl::StatusOr<RunResult> RunChild(const ChildSpec& spec, const Settings& s,
                                   const std::string& child_file,
                                   const std::string& progress_label);

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_CHILD_H_

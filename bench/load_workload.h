// SPDX-License-Identifier: Apache-2.0
//
// bench/load_workload.h: one run of the load program in this process (the
// child's side): N producer threads log the standard message through one
// target (relog, spdlog or formatting alone) under one workload, and the
// figures of the timed part come back as a RunResult.
//
// Workloads:
//  - latency: each thread logs bursts of kBurst messages then busy-waits
//    kPauseNs (or, with a rate, paces every call), timing every call with a
//    TickClock (bench/load_clock.h), the timer's own cost taken off.
//  - throughput: the messages split over the threads as fast as possible (or
//    for a number of seconds); the clock stops when the last byte is
//    written, and the file must hold every line.
//  - idle: one message per thread, then sleep; the process's CPU time over
//    the sleep.
// The sinks receive exactly the benchmark's messages: a warm-up (counted
// apart, not timed) and the timed calls.

#ifndef RELOG_BENCH_LOAD_WORKLOAD_H_
#define RELOG_BENCH_LOAD_WORKLOAD_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "bench/load_flags.h"
#include "bench/load_result.h"

namespace relog::load {

// The latency workload without a rate: bursts of kBurst calls, then a busy
// wait of kPauseNs.
inline constexpr int kBurst = 20;
inline constexpr double kPauseNs = 10000;

// What one run does (the child's flags).
struct Settings {
  ChildSpec spec;
  int64_t messages = 0;       // throughput: in total, split over the threads
  double seconds = 0;         // throughput: log this long instead (0: no)
  int64_t latency_calls = 0;  // latency: timed calls per thread
  double rate = 0;            // calls per second per thread (0: no pacing)
  std::string sinks;          // relog's spec; empty: file:child_file
  bool drop = false;          // overflow policy drop (else block)
  std::string child_file;
  double idle_seconds = 3;
};

// RunWorkload(): runs `s` in this process and returns its figures. Call it
// once per process (the process's peak RSS is part of the result), from
// one thread; it starts and joins the producer threads itself.
absl::StatusOr<RunResult> RunWorkload(const Settings& s);

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_WORKLOAD_H_

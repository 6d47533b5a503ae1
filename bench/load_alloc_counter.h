// SPDX-License-Identifier: Apache-2.0
//
// bench/load_alloc_counter.h: the load program counts the allocations of
// each producer thread. Linking //bench:load_alloc_counter replaces the
// global operator new/delete of the whole binary: every operator new bumps a
// counter of the calling thread, so a thread counts its own allocations
// without touching a shared cache line.

#ifndef RELOG_BENCH_LOAD_ALLOC_COUNTER_H_
#define RELOG_BENCH_LOAD_ALLOC_COUNTER_H_

#include <cstdint>

namespace relog::load {

// ThreadAllocs(): how many times the calling thread has called operator new
// so far. Thread-safe (each thread reads its own counter).
uint64_t ThreadAllocs();

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_ALLOC_COUNTER_H_

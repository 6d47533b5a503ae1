// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// pool/prefetch.h: relog::PrefetchForWrite(), a hint that the calling
// thread is about to write a cache line that another core may own.
//
// A read prefetch brings the line in shared, and the write that follows
// then needs a second trip to the other core to take ownership; a write
// prefetch (x86 PREFETCHW) takes ownership in one. Compilers emit PREFETCHW
// for __builtin_prefetch(p, 1) only when the target flags allow it, which a
// portable build does not, so relog checks the CPU once at start-up
// (CPUID 0x80000001, ECX bit 8, on both AMD and Intel) and falls back to a
// read prefetch where it is missing.

#ifndef RELOG_POOL_PREFETCH_H_
#define RELOG_POOL_PREFETCH_H_

#include <cstddef>
#include <utility>

namespace relog {
namespace pool_internal {

#if defined(__x86_64__) || defined(__i386__)
bool CpuHasPrefetchW();
inline const bool kHasPrefetchW = CpuHasPrefetchW();
inline void PrefetchW(const char* p) {
  asm volatile("prefetchw %0" : : "m"(*p));
}
#endif

}  // namespace pool_internal

// The `kLines` cache lines from `p` on, checking the CPU once.
template <std::size_t kLines>
inline void PrefetchLinesForWrite(const void* p) {
  const char* c = static_cast<const char*>(p);
#if defined(__x86_64__) || defined(__i386__)
  if (pool_internal::kHasPrefetchW) [[likely]] {
    [&]<std::size_t... i>(std::index_sequence<i...>) {
      (pool_internal::PrefetchW(c + 64 * i), ...);
    }(std::make_index_sequence<kLines>());
    return;
  }
#endif
  [&]<std::size_t... i>(std::index_sequence<i...>) {
    (__builtin_prefetch(c + 64 * i, 1), ...);
  }(std::make_index_sequence<kLines>());
}

// The line holding `p`.
inline void PrefetchForWrite(const void* p) { PrefetchLinesForWrite<1>(p); }

}  // namespace relog

#endif  // RELOG_POOL_PREFETCH_H_

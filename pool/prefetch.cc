// SPDX-License-Identifier: Apache-2.0

#include "relog/pool/prefetch.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace relog::pool_internal {

#if defined(__x86_64__) || defined(__i386__)
bool CpuHasPrefetchW() {
  unsigned int eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (__get_cpuid(0x80000001u, &eax, &ebx, &ecx, &edx) == 0) return false;
  return (ecx & (1u << 8)) != 0;  // PRFCHW / 3DNowPrefetch
}
#endif

}  // namespace relog::pool_internal

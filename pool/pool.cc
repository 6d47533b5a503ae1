// SPDX-License-Identifier: Apache-2.0

#include "relog/pool/pool.h"

#include <cstdio>
#include <cstdlib>

namespace relog::pool_internal {

void DieBecauseNotReset(const char* type_name) {
  std::fprintf(stderr,
               "relog::Pool: Reset() left an object of type %s dirty "
               "(IsReset() is false after Reset()); a field is not reset, and "
               "the next Get() would hand out the previous user's data\n",
               type_name);
  std::fflush(stderr);
  std::abort();
}

}  // namespace relog::pool_internal

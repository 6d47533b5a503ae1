// SPDX-License-Identifier: Apache-2.0

#include "relog/pool/thread_index.h"

#include <pthread.h>

#include <algorithm>
#include <mutex>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"

namespace relog::pool_internal {
namespace {

struct Registry {
  std::mutex mu;
  std::vector<ThreadCacheOwner*> pools ABSL_GUARDED_BY(mu);
  std::vector<int> free_indices ABSL_GUARDED_BY(mu);
  int next_index ABSL_GUARDED_BY(mu) = 0;
};

// Never destroyed: threads may exit (and pools die) during static
// destruction, after a function-local static would be gone.
Registry& GetRegistry() {
  static Registry* const registry = new Registry;
  return *registry;
}

// Made on the thread's first registration; its destructor runs at thread
// exit and hands the thread's cached objects back to every live pool.
class ThreadExitHook {
 public:
  explicit ThreadExitHook(int index) : index_(index) {}
  ThreadExitHook(const ThreadExitHook&) = delete;
  ThreadExitHook& operator=(const ThreadExitHook&) = delete;

  ~ThreadExitHook() {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    // From here on this thread (its other thread_local destructors
    // included) works against the shared stores only.
    tls_thread_index = kNoCache;
    for (ThreadCacheOwner* pool : r.pools) pool->ReleaseThreadCache(index_);
    r.free_indices.push_back(index_);
  }

 private:
  const int index_;
};

// fork() handlers: the registry mutex, then every pool's, in the order the
// exiting threads take them (registry first), so the prepare step cannot
// deadlock with an exit.
void PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Registry& r = GetRegistry();
  r.mu.lock();
  for (ThreadCacheOwner* pool : r.pools) pool->LockForFork();
}

void AfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Registry& r = GetRegistry();
  for (ThreadCacheOwner* pool : r.pools) pool->UnlockAfterFork();
  r.mu.unlock();
}

}  // namespace

void RegisterPool(ThreadCacheOwner* pool) {
  static const int fork_handlers =
      pthread_atfork(&PrepareFork, &AfterFork, &AfterFork);
  (void)fork_handlers;
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.pools.push_back(pool);
}

void UnregisterPool(ThreadCacheOwner* pool) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.pools.erase(std::remove(r.pools.begin(), r.pools.end(), pool),
                r.pools.end());
}

ABSL_ATTRIBUTE_COLD ABSL_ATTRIBUTE_NOINLINE int RegisterThreadSlow() {
  if (tls_thread_index != kUnregistered) return tls_thread_index;
  int index = kNoCache;
  {
    Registry& r = GetRegistry();
    std::lock_guard<std::mutex> lock(r.mu);
    if (!r.free_indices.empty()) {
      // Smallest free index first keeps the slot arrays dense.
      auto it = std::min_element(r.free_indices.begin(), r.free_indices.end());
      index = *it;
      r.free_indices.erase(it);
    } else if (r.next_index < kMaxThreads) {
      index = r.next_index++;
    }
  }
  tls_thread_index = index;
  if (index >= 0) {
    // Constructed once per thread, here, outside the registry mutex (its
    // destructor takes it).
    static thread_local ThreadExitHook hook(index);
    (void)hook;
  }
  return index;
}

}  // namespace relog::pool_internal

// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// pool/thread_index.h: dense per-thread indices for per-pool caches.
//
// C++ has no per-instance thread_local. Every thread that touches a pool gets
// a small dense index on first use (recycled when the thread exits); each pool
// keeps an array of cache-line-padded slots indexed by it, the way Go's
// sync.Pool gives each P a slot. When a thread exits, every live pool is told
// to take back what that thread's slot holds, under one registry mutex that
// pool construction and destruction also take, so an exiting thread and a
// dying pool never meet half-way.
//
// Everything here is thread-safe. Internal to pool/.

#ifndef RELOG_POOL_THREAD_INDEX_H_
#define RELOG_POOL_THREAD_INDEX_H_

#include <cstdint>

namespace relog::pool_internal {

// The most threads that can hold a cache at once (all pools together). A
// thread beyond it, or one that is exiting, works straight against each
// pool's shared store: slower, still correct.
inline constexpr int kMaxThreads = 4096;

// Values of tls_thread_index besides a real index.
inline constexpr int kUnregistered = -1;  // not seen yet: register on demand
inline constexpr int kNoCache = -2;       // exiting or over the limit

// The calling thread's index, or one of the values above. Constant-initialised
// and trivially destructible, so reading it is one TLS load; the clean-up on
// thread exit lives in a separate thread_local made at registration.
inline thread_local constinit int tls_thread_index = kUnregistered;

// Implemented by Pool<T>. ReleaseThreadCache() is called on the exiting
// thread, with the registry mutex held, to move that thread's cached objects
// back to the shared store; it must not call back into the registry.
// LockForFork() and UnlockAfterFork() take and give back the pool's own
// mutex around fork() (see RegisterPool()).
class ThreadCacheOwner {
 public:
  virtual void ReleaseThreadCache(int index) = 0;
  virtual void LockForFork() = 0;
  virtual void UnlockAfterFork() = 0;

 protected:
  ~ThreadCacheOwner() = default;
};

// RegisterPool() / UnregisterPool(): called by a pool's constructor and
// destructor. After UnregisterPool() returns, no exiting thread is inside
// the pool's ReleaseThreadCache() or will enter it.
//
// fork(): the first registration installs pthread_atfork() handlers that
// hold the registry mutex and every live pool's mutex across the fork, so
// a child never inherits one of them locked by a thread that does not
// exist there (its first Get() would wait forever). Objects cached by the
// parent's other threads stay in their slots in the child, unused.
void RegisterPool(ThreadCacheOwner* pool);
void UnregisterPool(ThreadCacheOwner* pool);

// RegisterThreadSlow(): gives the calling thread an index (or kNoCache) and
// arranges the clean-up at its exit. Returns the new tls_thread_index.
int RegisterThreadSlow();

// CurrentThreadIndex(): the calling thread's index, registering on first use;
// kNoCache when the thread must not cache.
inline int CurrentThreadIndex() {
  const int index = tls_thread_index;
  if (index != kUnregistered) [[likely]] {
    return index;
  }
  return RegisterThreadSlow();
}

}  // namespace relog::pool_internal

#endif  // RELOG_POOL_THREAD_INDEX_H_

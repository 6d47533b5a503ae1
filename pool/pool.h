// SPDX-License-Identifier: Apache-2.0
//
// pool/pool.h: relog::Pool<T>, a recycling object pool in the spirit of Go's
// sync.Pool, wrapped so that reset is enforced rather than hoped for.
//
// Guarantees, stated plainly:
//  - Every object that comes back is Reset() before any thread can Get() it
//    again; a debug build also checks `IsReset()` when T has one.
//  - Get() hands out a Pooled<T> (a unique_ptr whose deleter puts the object
//    back), so an object is not leaked or returned twice by accident. It can
//    be released to a raw pointer for a hand-off to another thread; that
//    thread gives it back with Put().
//  - An idle object may be freed at any time: at the cap, or after two trim
//    periods without use (Go's victim cache, on a clock instead of a GC).
//  - The common Get()/Put() touches only the calling thread's cache slot: no
//    lock, no atomic read-modify-write, no shared cache line written.
//  - Objects taken on one thread and returned on another (callers take, sink
//    threads return) flow back through a shared store in batches.
//  - Idle objects in a thread's cache (at most `per_thread_cache`) are aged
//    only when that thread next reaches the pool's slow path or exits; the
//    shared store is aged on the clock.
//
// Pool is thread-safe. It must not be copied or moved. Every object handed
// out must be given back before the pool is destroyed; objects still cached
// by other threads at that point are freed by the destructor.
//
// Example:
//   struct Message {
//     std::string text;
//     void Reset() { text.clear(); }
//   };
//   relog::Pool<Message> pool;
//   relog::Pooled<Message> m = pool.Get();
//   m->text = "hello";
//   // back in the pool (and reset) when `m` goes out of scope.

#ifndef RELOG_POOL_POOL_H_
#define RELOG_POOL_POOL_H_

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/config.h"
#include "absl/base/optimization.h"
#include "absl/base/thread_annotations.h"
#include "relog/pool/prefetch.h"
#include "relog/pool/thread_index.h"

#ifdef ABSL_HAVE_ADDRESS_SANITIZER
#include <sanitizer/asan_interface.h>
#endif

namespace relog {

// A type the pool can recycle: Reset() returns it to the state a fresh
// object has, keeping only what is worth keeping (capacity).
template <typename T>
concept Resettable = requires(T& t) {
  { t.Reset() } -> std::same_as<void>;
};

// Optionally, a type can say whether it is reset; debug builds check it after
// every Reset(), which catches a Reset() that forgets a field.
template <typename T>
concept ChecksReset = requires(const T& t) {
  { t.IsReset() } -> std::convertible_to<bool>;
};

// Optionally, a type can say how many bytes from its start are its own (an
// object with a trailing buffer); ASan builds poison that many while idle.
template <typename T>
concept HasPooledBytes = requires(const T& t) {
  { t.PooledBytes() } -> std::convertible_to<std::size_t>;
};

// A snapshot of a pool's counters. Taken without stopping other threads, so
// fields read while they work may be a few operations apart.
struct PoolStats {
  uint64_t gets = 0;     // Get() calls
  uint64_t hits = 0;     // served from the pool
  uint64_t misses = 0;   // made by the factory (gets == hits + misses)
  uint64_t puts = 0;     // objects given back
  uint64_t dropped = 0;  // freed because the shared store was at its cap
  uint64_t trimmed = 0;  // freed after two trim periods idle
  uint64_t idle = 0;     // in the pool now (thread caches + shared store)
  uint64_t live = 0;     // handed out and not yet given back

  PoolStats& operator+=(const PoolStats& o) {
    gets += o.gets;
    hits += o.hits;
    misses += o.misses;
    puts += o.puts;
    dropped += o.dropped;
    trimmed += o.trimmed;
    idle += o.idle;
    live += o.live;
    return *this;
  }
};

// The clock that drives trimming; injectable so tests need no waiting.
using PoolClock = std::function<std::chrono::steady_clock::time_point()>;

namespace pool_internal {

// Largest per-thread cache; a pool's own bound is set by its options.
inline constexpr std::size_t kMaxThreadCache = 64;
inline constexpr int kSlotsPerChunk = 16;
inline constexpr int kMaxChunks = kMaxThreads / kSlotsPerChunk;

// A counter written by one thread and read by any: relaxed load and store,
// which compile to plain moves, never a locked instruction.
class OwnerCounter {
 public:
  void Add(uint64_t n = 1) {
    v_.store(v_.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  uint64_t Read() const { return v_.load(std::memory_order_relaxed); }
  uint64_t Take() { return v_.exchange(0, std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> v_{0};
};

[[noreturn]] void DieBecauseNotReset(const char* type_name);

inline void PoisonBytes([[maybe_unused]] const void* p,
                        [[maybe_unused]] std::size_t n) {
#ifdef ABSL_HAVE_ADDRESS_SANITIZER
  ASAN_POISON_MEMORY_REGION(p, n);
#endif
}
inline void UnpoisonBytes([[maybe_unused]] const void* p,
                          [[maybe_unused]] std::size_t n) {
#ifdef ABSL_HAVE_ADDRESS_SANITIZER
  ASAN_UNPOISON_MEMORY_REGION(p, n);
#endif
}

}  // namespace pool_internal

template <Resettable T>
class Pool;

// The recycling deleter of Pooled<T>.
template <Resettable T>
class PoolRecycler {
 public:
  PoolRecycler() = default;
  explicit PoolRecycler(Pool<T>* pool) : pool_(pool) {}
  void operator()(T* obj) const { pool_->Put(obj); }
  Pool<T>* pool() const { return pool_; }

 private:
  Pool<T>* pool_ = nullptr;
};

// A pooled object: move-only; gives the object back on destruction.
// `release()` yields the raw pointer for a cross-thread hand-off.
template <Resettable T>
using Pooled = std::unique_ptr<T, PoolRecycler<T>>;

template <Resettable T>
class Pool final : private pool_internal::ThreadCacheOwner {
 public:
  struct Options {
    // Makes an object when the pool has none. Default: `new T()` (required
    // when T has no default constructor).
    std::function<T*()> factory;
    // Frees an object. Default: `delete`.
    std::function<void(T*)> destroy;
    // Cap on objects idle in the shared store (enforced and counted there).
    std::size_t max_idle = 1024;
    // Per-thread cache bound (0 turns the caches off), at most
    // pool_internal::kMaxThreadCache. Objects move between a cache and the
    // shared store in batches of half this.
    std::size_t per_thread_cache = 32;
    // An object idle for two periods is freed. Zero: only Trim() by hand.
    std::chrono::nanoseconds trim_period = std::chrono::seconds(10);
    // Defaults to std::chrono::steady_clock::now.
    PoolClock clock;
  };

  Pool() : Pool(Options()) {}
  explicit Pool(Options options);
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  ~Pool();

  // Pool::Get(): any thread. The caller owns the object until the handle
  // dies (or, after release(), until it is Put() back).
  Pooled<T> Get() { return Pooled<T>(GetRaw(), PoolRecycler<T>(this)); }

  // Pool::GetRaw(): as Get(), for a caller that manages the return itself.
  T* GetRaw() {
    const int index = pool_internal::tls_thread_index;
    if (index >= 0) [[likely]] {
      Slot* slot = FindSlot(index);
      if (slot != nullptr) [[likely]] {
        const uint32_t n = slot->count.load(std::memory_order_relaxed);
        if (n > 0) [[likely]] {
          T* obj = slot->items[n - 1];
          // A later Get() will write into the object kPrefetchDistance
          // below this one: start fetching its lines for ownership now, as
          // they may sit dirty in the cache of the thread that put it back.
          if (n > kPrefetchDistance) {
            PrefetchLinesForWrite<kPrefetchLines>(
                slot->items[n - 1 - kPrefetchDistance]);
          }
          slot->count.store(n - 1, std::memory_order_relaxed);
          slot->gets.Add();  // a hit: hits are gets - misses
          Unpoison(obj);
          return obj;
        }
      }
    }
    return GetSlow();
  }

  // Pool::Put(): any thread; takes ownership of `obj`, which must have come
  // from this pool and not been given back since. Resets it first.
  void Put(T* obj) {
    obj->Reset();
    CheckReset(obj);
    Poison(obj);
    const int index = pool_internal::tls_thread_index;
    if (index >= 0) [[likely]] {
      Slot* slot = FindSlot(index);
      if (slot != nullptr) [[likely]] {
        const uint32_t n = slot->count.load(std::memory_order_relaxed);
        if (n < cache_bound_) [[likely]] {
          slot->items[n] = obj;
          slot->count.store(n + 1, std::memory_order_relaxed);
          slot->puts.Add();
          return;
        }
      }
    }
    PutSlow(obj);
  }

  // Pool::Adopt(): wraps a raw pointer (from Pooled::release()) back into a
  // handle, on whichever thread now owns it.
  Pooled<T> Adopt(T* obj) { return Pooled<T>(obj, PoolRecycler<T>(this)); }

  // Pool::Reserve(): any thread. Makes objects until the shared store holds
  // `n` (at most the cap), so a burst up to that size allocates nothing.
  void Reserve(std::size_t n) ABSL_LOCKS_EXCLUDED(mu_);

  // Pool::Trim(): any thread. Frees what has been idle in the shared store
  // for two periods (the victim generation) and ages the rest; the calling
  // thread's cache goes back to the shared store first.
  void Trim() ABSL_LOCKS_EXCLUDED(mu_);

  // Pool::MaybeTrim(): Trim() if a period has passed since the last one.
  // Called by the slow paths; a service may also call it from idle time.
  void MaybeTrim() ABSL_LOCKS_EXCLUDED(mu_);

  // Pool::ReleaseCallerCache(): moves the calling thread's cached objects to
  // the shared store (where the cap and the clock apply to them).
  void ReleaseCallerCache() ABSL_LOCKS_EXCLUDED(mu_);

  // Pool::FillCallerCache(): fills the calling thread's cache (from the
  // shared store, making objects when it runs out), so that the thread's
  // next `per_thread_cache` gets take no lock. For a thread about to start
  // latency-critical work.
  void FillCallerCache();

  // Pool::CallerCacheSize(): how many objects the calling thread's cache
  // holds.
  std::size_t CallerCacheSize() const {
    const int index = pool_internal::tls_thread_index;
    const Slot* slot = index >= 0 ? FindSlot(index) : nullptr;
    return slot == nullptr ? 0 : slot->count.load(std::memory_order_relaxed);
  }

  // Pool::GetStats(): any thread; sums the per-thread counters.
  PoolStats GetStats() const ABSL_LOCKS_EXCLUDED(mu_);

  const Options& options() const { return options_; }

 private:
  friend class PoolTestPeer;

  // One thread's cache. Only its owner writes it (relaxed atomics where other
  // threads read: count and counters); padded so no two owners share a line.
  struct alignas(64) Slot {
    std::atomic<uint32_t> count{0};
    pool_internal::OwnerCounter gets;
    pool_internal::OwnerCounter misses;
    pool_internal::OwnerCounter puts;
    std::array<T*, pool_internal::kMaxThreadCache> items{};
  };

  Slot* FindSlot(int index) const {
    // load-acquire: pairs with the release in EnsureSlot(), so the slot's
    // construction is visible.
    Slot* chunk = chunks_[index / pool_internal::kSlotsPerChunk].load(
        std::memory_order_acquire);
    if (chunk == nullptr) [[unlikely]]
      return nullptr;
    return &chunk[index % pool_internal::kSlotsPerChunk];
  }

  // Takes mu_ for a slow path: spins on try_lock() briefly before sleeping,
  // because the shared store is held for a few dozen instructions, far less
  // than a futex sleep and wake-up (bench/pool_benchmark.cc's cross-thread
  // cases show the difference).
  std::unique_lock<std::mutex> LockForSlowPath() ABSL_LOCKS_EXCLUDED(mu_);
  T* GetSlow() ABSL_LOCKS_EXCLUDED(mu_);
  void PutSlow(T* obj) ABSL_LOCKS_EXCLUDED(mu_);
  Slot* EnsureSlot(int index) ABSL_LOCKS_EXCLUDED(mu_);
  void ReleaseThreadCache(int index) override ABSL_LOCKS_EXCLUDED(mu_);
  void LockForFork() override ABSL_NO_THREAD_SAFETY_ANALYSIS { mu_.lock(); }
  void UnlockAfterFork() override ABSL_NO_THREAD_SAFETY_ANALYSIS {
    mu_.unlock();
  }
  // Moves a slot's objects to the shared store (the cap applies); returns
  // the ones that did not fit, to be destroyed outside the lock.
  void DrainSlotLocked(Slot& slot, std::vector<T*>& excess)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void PushSharedLocked(T* obj, std::vector<T*>& excess)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  T* PopSharedLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  // Moves objects from the shared store into `slot` until it holds
  // `target` or the store is empty: a block copy from the primary store,
  // then one by one from the victims. Returns the slot's new count.
  uint32_t FillSlotLocked(Slot& slot, uint32_t target)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  std::vector<T*> TakeVictimsIfDueLocked(bool force)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_);
  void DestroyAll(std::vector<T*>& objs);
  T* Make();

  // How many gets ahead GetRaw() prefetches: one log call is too short for
  // a line's trip from another core to finish before the next call writes
  // the object.
  static constexpr uint32_t kPrefetchDistance = 3;
  // The first lines of an object (up to four), which a taker typically
  // writes whole.
  static constexpr std::size_t kPrefetchLines =
      std::min<std::size_t>(4, (sizeof(T) + 63) / 64);
  static void CheckReset([[maybe_unused]] const T* obj) {
#ifndef NDEBUG
    if constexpr (ChecksReset<T>) {
      if (!obj->IsReset()) [[unlikely]] {
        pool_internal::DieBecauseNotReset(typeid(T).name());
      }
    }
#endif
  }
  static std::size_t PoisonSize(const T* obj) {
    if constexpr (HasPooledBytes<T>) {
      return obj->PooledBytes();
    } else {
      return sizeof(T);
    }
  }
  static void Poison([[maybe_unused]] T* obj) {
#ifdef ABSL_HAVE_ADDRESS_SANITIZER
    pool_internal::PoisonBytes(obj, PoisonSize(obj));
#endif
  }
  static void Unpoison([[maybe_unused]] T* obj) {
#ifdef ABSL_HAVE_ADDRESS_SANITIZER
    pool_internal::UnpoisonBytes(obj, sizeof(T));
    pool_internal::UnpoisonBytes(obj, PoisonSize(obj));
#endif
  }

  const Options options_;
  const uint32_t cache_bound_;
  const uint32_t batch_;

  std::array<std::atomic<Slot*>, pool_internal::kMaxChunks> chunks_{};

  // The fast paths read the fields above on every call, while the slow
  // paths of other threads write the lock and the store below: a line of
  // padding on each side keeps them apart (padding rather than alignas, so
  // a Pool on the stack needs no over-aligned frame).
  [[maybe_unused]] char pad_before_lock_[64];
  mutable std::mutex mu_;
  // The shared store: objects put back since the last trim, and the victim
  // generation (idle for at least one period). Get prefers `primary_`.
  std::vector<T*> primary_ ABSL_GUARDED_BY(mu_);
  std::vector<T*> victim_ ABSL_GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_trim_ ABSL_GUARDED_BY(mu_);
  // Counters of work done outside any slot, and of exited threads' slots.
  uint64_t retired_gets_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t retired_misses_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t retired_puts_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t dropped_ ABSL_GUARDED_BY(mu_) = 0;
  uint64_t trimmed_ ABSL_GUARDED_BY(mu_) = 0;
  [[maybe_unused]] char pad_after_store_[64];
};

// ---------------------------------------------------------------------------
// Implementation.

template <Resettable T>
Pool<T>::Pool(Options options)
    : options_(std::move(options)),
      cache_bound_(static_cast<uint32_t>(
          std::min(options_.per_thread_cache, pool_internal::kMaxThreadCache))),
      batch_(std::max<uint32_t>(1, cache_bound_ / 2)) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_trim_ =
        options_.clock ? options_.clock() : std::chrono::steady_clock::now();
  }
  pool_internal::RegisterPool(this);
}

template <Resettable T>
Pool<T>::~Pool() {
  // After this no exiting thread touches our slots.
  pool_internal::UnregisterPool(this);
  std::vector<T*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    all.swap(primary_);
    all.insert(all.end(), victim_.begin(), victim_.end());
    victim_.clear();
  }
  for (auto& chunk_ptr : chunks_) {
    Slot* chunk = chunk_ptr.load(std::memory_order_acquire);
    if (chunk == nullptr) continue;
    for (int i = 0; i < pool_internal::kSlotsPerChunk; ++i) {
      Slot& slot = chunk[i];
      const uint32_t n = slot.count.load(std::memory_order_relaxed);
      all.insert(all.end(), slot.items.begin(), slot.items.begin() + n);
    }
    delete[] chunk;
  }
  DestroyAll(all);
}

template <Resettable T>
T* Pool<T>::Make() {
  if constexpr (std::default_initializable<T>) {
    if (!options_.factory) return new T();
  }
  return options_.factory();
}

template <Resettable T>
void Pool<T>::DestroyAll(std::vector<T*>& objs) {
  for (T* obj : objs) {
    Unpoison(obj);
    if (options_.destroy) {
      options_.destroy(obj);
    } else {
      delete obj;
    }
  }
  objs.clear();
}

template <Resettable T>
typename Pool<T>::Slot* Pool<T>::EnsureSlot(int index) {
  auto& chunk_ptr = chunks_[index / pool_internal::kSlotsPerChunk];
  Slot* chunk = chunk_ptr.load(std::memory_order_acquire);
  if (chunk == nullptr) {
    std::lock_guard<std::mutex> lock(mu_);
    chunk = chunk_ptr.load(std::memory_order_relaxed);
    if (chunk == nullptr) {
      chunk = new Slot[pool_internal::kSlotsPerChunk];
      // store-release: pairs with the acquire in FindSlot().
      chunk_ptr.store(chunk, std::memory_order_release);
    }
  }
  return &chunk[index % pool_internal::kSlotsPerChunk];
}

template <Resettable T>
void Pool<T>::PushSharedLocked(T* obj, std::vector<T*>& excess) {
  if (primary_.size() + victim_.size() < options_.max_idle) {
    primary_.push_back(obj);
  } else {
    ++dropped_;
    excess.push_back(obj);
  }
}

template <Resettable T>
T* Pool<T>::PopSharedLocked() {
  if (!primary_.empty()) {
    T* obj = primary_.back();
    primary_.pop_back();
    return obj;
  }
  if (!victim_.empty()) {
    T* obj = victim_.back();
    victim_.pop_back();
    return obj;
  }
  return nullptr;
}

template <Resettable T>
uint32_t Pool<T>::FillSlotLocked(Slot& slot, uint32_t target) {
  uint32_t n = slot.count.load(std::memory_order_relaxed);
  if (n < target && !primary_.empty()) {
    const std::size_t take = std::min<std::size_t>(target - n, primary_.size());
    std::copy(primary_.end() - static_cast<std::ptrdiff_t>(take),
              primary_.end(), slot.items.begin() + n);
    primary_.resize(primary_.size() - take);
    n += static_cast<uint32_t>(take);
  }
  while (n < target) {
    T* more = PopSharedLocked();
    if (more == nullptr) break;
    slot.items[n++] = more;
  }
  slot.count.store(n, std::memory_order_relaxed);
  return n;
}

template <Resettable T>
void Pool<T>::DrainSlotLocked(Slot& slot, std::vector<T*>& excess) {
  const uint32_t n = slot.count.load(std::memory_order_relaxed);
  for (uint32_t i = 0; i < n; ++i) PushSharedLocked(slot.items[i], excess);
  slot.count.store(0, std::memory_order_relaxed);
}

template <Resettable T>
std::vector<T*> Pool<T>::TakeVictimsIfDueLocked(bool force) {
  const auto now =
      options_.clock ? options_.clock() : std::chrono::steady_clock::now();
  if (!force && (options_.trim_period.count() <= 0 ||
                 now - last_trim_ < options_.trim_period)) {
    return {};
  }
  last_trim_ = now;
  std::vector<T*> victims;
  victims.swap(victim_);
  victim_.swap(primary_);
  // The store's capacity stays with primary_, so later puts do not
  // allocate under the lock.
  primary_.reserve(victim_.capacity());
  trimmed_ += victims.size();
  return victims;
}

template <Resettable T>
std::unique_lock<std::mutex> Pool<T>::LockForSlowPath() {
  for (int i = 0; i < 128; ++i) {
    if (mu_.try_lock())
      return std::unique_lock<std::mutex>(mu_, std::adopt_lock);
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
  }
  return std::unique_lock<std::mutex>(mu_);
}

template <Resettable T>
ABSL_ATTRIBUTE_NOINLINE T* Pool<T>::GetSlow() {
  const int index = pool_internal::CurrentThreadIndex();
  Slot* slot = index >= 0 && cache_bound_ > 0 ? EnsureSlot(index) : nullptr;
  T* obj = nullptr;
  std::vector<T*> victims;
  {
    std::unique_lock<std::mutex> lock = LockForSlowPath();
    victims = TakeVictimsIfDueLocked(/*force=*/false);
    obj = PopSharedLocked();
    // Refill the cache with a batch so the next gets are fast again.
    if (slot != nullptr && obj != nullptr) FillSlotLocked(*slot, batch_);
    if (slot == nullptr) {
      ++retired_gets_;
      if (obj == nullptr) ++retired_misses_;
    }
  }
  DestroyAll(victims);
  if (slot != nullptr) {
    slot->gets.Add();
    if (obj == nullptr) slot->misses.Add();
    // The fast path prefetches kPrefetchDistance ahead; start the gets that
    // come before that (outside the lock: the cache is this thread's own).
    const uint32_t n = slot->count.load(std::memory_order_relaxed);
    for (uint32_t i = 0; i < kPrefetchDistance && i < n; ++i) {
      PrefetchLinesForWrite<kPrefetchLines>(slot->items[n - 1 - i]);
    }
  }
  if (obj != nullptr) {
    Unpoison(obj);
    return obj;
  }
  return Make();
}

template <Resettable T>
ABSL_ATTRIBUTE_NOINLINE void Pool<T>::PutSlow(T* obj) {
  const int index = pool_internal::CurrentThreadIndex();
  Slot* slot = index >= 0 && cache_bound_ > 0 ? EnsureSlot(index) : nullptr;
  std::vector<T*> excess;
  std::vector<T*> victims;
  {
    std::unique_lock<std::mutex> lock = LockForSlowPath();
    victims = TakeVictimsIfDueLocked(/*force=*/false);
    if (slot == nullptr) {
      ++retired_puts_;
      PushSharedLocked(obj, excess);
    } else {
      // The cache is full (or was just made): move a batch out, keep the
      // rest hot, then cache `obj`.
      uint32_t n = slot->count.load(std::memory_order_relaxed);
      const uint32_t keep = n > batch_ ? n - batch_ : 0;
      for (uint32_t i = keep; i < n; ++i) {
        PushSharedLocked(slot->items[i], excess);
      }
      slot->items[keep] = obj;
      slot->count.store(keep + 1, std::memory_order_relaxed);
    }
  }
  if (slot != nullptr) slot->puts.Add();
  DestroyAll(excess);
  DestroyAll(victims);
}

template <Resettable T>
void Pool<T>::FillCallerCache() {
  const int index = pool_internal::CurrentThreadIndex();
  if (index < 0 || cache_bound_ == 0) return;
  Slot* slot = EnsureSlot(index);
  uint32_t n;
  std::vector<T*> victims;
  {
    std::unique_lock<std::mutex> lock = LockForSlowPath();
    victims = TakeVictimsIfDueLocked(/*force=*/false);
    n = FillSlotLocked(*slot, cache_bound_);
  }
  DestroyAll(victims);
  // The shared store ran out: make the rest, as Reserve() does (they are
  // idle objects, not gets).
  for (; n < cache_bound_; ++n) {
    T* obj = Make();
    Poison(obj);
    slot->items[n] = obj;
    slot->count.store(n + 1, std::memory_order_relaxed);
  }
}

template <Resettable T>
void Pool<T>::ReleaseCallerCache() {
  const int index = pool_internal::tls_thread_index;
  if (index < 0) return;
  Slot* slot = FindSlot(index);
  if (slot == nullptr) return;
  std::vector<T*> excess;
  {
    std::lock_guard<std::mutex> lock(mu_);
    DrainSlotLocked(*slot, excess);
  }
  DestroyAll(excess);
}

template <Resettable T>
void Pool<T>::ReleaseThreadCache(int index) {
  Slot* slot = FindSlot(index);
  if (slot == nullptr) return;
  std::vector<T*> excess;
  {
    std::lock_guard<std::mutex> lock(mu_);
    DrainSlotLocked(*slot, excess);
    // Fold the exiting thread's counters in, so the index starts afresh.
    retired_gets_ += slot->gets.Take();
    retired_misses_ += slot->misses.Take();
    retired_puts_ += slot->puts.Take();
  }
  DestroyAll(excess);
}

template <Resettable T>
void Pool<T>::Reserve(std::size_t n) {
  n = std::min(n, options_.max_idle);
  std::size_t have;
  {
    std::lock_guard<std::mutex> lock(mu_);
    have = primary_.size() + victim_.size();
  }
  std::vector<T*> made;
  made.reserve(n > have ? n - have : 0);
  for (std::size_t i = have; i < n; ++i) {
    T* obj = Make();
    Poison(obj);
    made.push_back(obj);
  }
  std::vector<T*> excess;
  {
    std::lock_guard<std::mutex> lock(mu_);
    primary_.reserve(options_.max_idle);
    for (T* obj : made) {
      if (primary_.size() + victim_.size() < options_.max_idle) {
        primary_.push_back(obj);
      } else {
        excess.push_back(obj);  // others filled it meanwhile; not a drop
      }
    }
  }
  DestroyAll(excess);
}

template <Resettable T>
void Pool<T>::Trim() {
  ReleaseCallerCache();
  std::vector<T*> victims;
  {
    std::lock_guard<std::mutex> lock(mu_);
    victims = TakeVictimsIfDueLocked(/*force=*/true);
  }
  DestroyAll(victims);
}

template <Resettable T>
void Pool<T>::MaybeTrim() {
  std::vector<T*> victims;
  {
    std::lock_guard<std::mutex> lock(mu_);
    victims = TakeVictimsIfDueLocked(/*force=*/false);
  }
  DestroyAll(victims);
}

template <Resettable T>
PoolStats Pool<T>::GetStats() const {
  PoolStats s;
  std::lock_guard<std::mutex> lock(mu_);
  s.gets = retired_gets_;
  s.misses = retired_misses_;
  s.puts = retired_puts_;
  s.dropped = dropped_;
  s.trimmed = trimmed_;
  s.idle = primary_.size() + victim_.size();
  for (const auto& chunk_ptr : chunks_) {
    const Slot* chunk = chunk_ptr.load(std::memory_order_acquire);
    if (chunk == nullptr) continue;
    for (int i = 0; i < pool_internal::kSlotsPerChunk; ++i) {
      const Slot& slot = chunk[i];
      s.gets += slot.gets.Read();
      s.misses += slot.misses.Read();
      s.puts += slot.puts.Read();
      s.idle += slot.count.load(std::memory_order_relaxed);
    }
  }
  // Counters are read one by one while owners update them: clamp.
  s.misses = std::min(s.misses, s.gets);
  s.hits = s.gets - s.misses;
  s.live = s.gets >= s.puts ? s.gets - s.puts : 0;
  return s;
}

}  // namespace relog

#endif  // RELOG_POOL_POOL_H_

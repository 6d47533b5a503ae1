// SPDX-License-Identifier: Apache-2.0
//
// bench/pool_benchmark.cc: what relog::Pool saves over operator new/delete,
// and over the naive pool (a mutex-guarded free list).
//
// Families (scripts read these names; keep them):
//   BM_NewDelete/<bytes>/threads:<t>      new, touch, delete
//   BM_PoolGetPut/<bytes>/threads:<t>     Pool::Get, touch, give back; one
//                                         pool per size, shared by threads
//   BM_MutexFreeList/<bytes>/threads:<t>  the same through std::mutex +
//                                         std::vector<void*>
//   BM_CrossThreadNewDelete/<bytes>       new on the benchmark thread, delete
//                                         on a helper thread
//   BM_CrossThreadPool/<bytes>            Get on the benchmark thread, Put on
//                                         a helper thread
// for <bytes> in 64, 1024, 4096, 65536. The cross-thread pair hands each
// object over through a bounded SPSC ring and is timed per object on the
// taking side, so its time is the throughput of the pipeline.
//
// "Touch" writes an object's first and last byte (and its size field), so
// neither the allocation nor the memory is optimised away.
//
// Every benchmark reports `allocs_per_op`: calls of the global operator new
// (replaced below with counting versions) per iteration, counted in the timed
// loop only, after a warm-up; a pool in steady state reads 0.

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <mutex>
#include <new>
#include <thread>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"
#include "benchmark/benchmark.h"
#include "relog/pool/pool.h"

namespace relog::bench_internal {
namespace {

// Calls of the global operator new made by this thread. Thread-local, so the
// counting adds no shared cache line to the two-thread runs (a shared atomic
// would slow BM_NewDelete down and flatter the pool).
thread_local constinit uint64_t tls_news = 0;

}  // namespace
}  // namespace relog::bench_internal

// The replaceable global allocation functions. The standard defines the
// array and nothrow forms by their default behaviour in terms of these, which
// libstdc++ follows, so those are counted too. The sized deletes are here as
// well, because GCC would otherwise pair an inlined malloc with libstdc++'s
// sized delete and warn (-Wmismatched-new-delete). Not inlined: in a real
// program these are calls into libstdc++ and libc, and the comparison with
// the pool should pay that call as a real program does.
ABSL_ATTRIBUTE_NOINLINE void* operator new(std::size_t n) {
  ++relog::bench_internal::tls_news;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}

ABSL_ATTRIBUTE_NOINLINE void* operator new(std::size_t n,
                                           std::align_val_t align) {
  ++relog::bench_internal::tls_news;
  const auto a = static_cast<std::size_t>(align);
  // aligned_alloc wants a size that is a multiple of the alignment.
  const std::size_t size = (n + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, size == 0 ? a : size)) return p;
  throw std::bad_alloc();
}

ABSL_ATTRIBUTE_NOINLINE void operator delete(void* p) noexcept { std::free(p); }
ABSL_ATTRIBUTE_NOINLINE void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
ABSL_ATTRIBUTE_NOINLINE void operator delete(void* p,
                                             std::align_val_t) noexcept {
  std::free(p);
}
ABSL_ATTRIBUTE_NOINLINE void operator delete(void* p, std::size_t,
                                             std::align_val_t) noexcept {
  std::free(p);
}

namespace relog::bench_internal {
namespace {

// The pooled object: N bytes of payload and a length, like a buffer.
template <std::size_t N>
struct Obj {
  // User-provided, so `new Obj()` (the pool's default factory, and
  // BM_NewDelete) does not zero the N bytes: value-initialising an aggregate
  // would memset the whole object on every new, which no real buffer does.
  Obj() {}

  // Cheap, as a real pooled buffer's is: the length, not the bytes.
  void Reset() { size = 0; }
  bool IsReset() const { return size == 0; }

  std::size_t size = 0;
  char bytes[N];
};

template <std::size_t N>
void Touch(Obj<N>* obj) {
  obj->bytes[0] = 1;
  obj->bytes[N - 1] = 1;
  obj->size = N;
  benchmark::DoNotOptimize(obj);
  benchmark::ClobberMemory();
}

// Reads the object on the returning side of a hand-off, as a consumer would.
template <std::size_t N>
void Consume(Obj<N>* obj) {
  char last = obj->bytes[N - 1];
  benchmark::DoNotOptimize(last);
}

// Objects each warm-up gets and gives back before timing starts.
constexpr int kWarmUpObjects = 256;

void ReportAllocs(benchmark::State& state, uint64_t news) {
  // Summed over the benchmark's threads, then divided by all their
  // iterations.
  state.counters["allocs_per_op"] = benchmark::Counter(
      static_cast<double>(news), benchmark::Counter::kAvgIterations);
}

// One pool per size, shared by every benchmark thread (default options, as a
// library user would have them).
template <std::size_t N>
relog::Pool<Obj<N>>& SharedPool() {
  static relog::Pool<Obj<N>> pool;
  return pool;
}

// The naive pool: every Get and Put takes one mutex shared by all threads.
template <std::size_t N>
class MutexFreeList {
 public:
  MutexFreeList() = default;
  MutexFreeList(const MutexFreeList&) = delete;
  MutexFreeList& operator=(const MutexFreeList&) = delete;
  ~MutexFreeList() {
    for (void* p : free_) delete static_cast<Obj<N>*>(p);
  }

  Obj<N>* Get() ABSL_LOCKS_EXCLUDED(mu_) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!free_.empty()) {
        void* p = free_.back();
        free_.pop_back();
        return static_cast<Obj<N>*>(p);
      }
    }
    return new Obj<N>();
  }

  void Put(Obj<N>* obj) ABSL_LOCKS_EXCLUDED(mu_) {
    obj->Reset();
    std::lock_guard<std::mutex> lock(mu_);
    free_.push_back(obj);
  }

 private:
  std::mutex mu_;
  std::vector<void*> free_ ABSL_GUARDED_BY(mu_);
};

template <std::size_t N>
MutexFreeList<N>& SharedFreeList() {
  static MutexFreeList<N> list;
  return list;
}

// A short busy wait, then the CPU goes to whoever else wants it (the machine
// may have fewer free CPUs than the two sides need).
class Backoff {
 public:
  void Reset() { spins_ = 0; }

  void Pause() {
    if (++spins_ < 64) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      spins_ = 0;
      std::this_thread::yield();
    }
  }

 private:
  int spins_ = 0;
};

// A bounded single-producer single-consumer ring of pointers. Each side keeps
// a private copy of the other side's index and reloads it only when the ring
// looks full (or empty), so in steady state a hand-off moves the slot's cache
// line and little else.
template <typename T, std::size_t kCapacity>
class SpscRing {
  static_assert((kCapacity & (kCapacity - 1)) == 0, "a power of two");

 public:
  // Producer only.
  bool TryPush(T* item) {
    const std::size_t tail = tail_.load(std::memory_order_relaxed);
    if (tail - head_cache_ == kCapacity) {
      // load-acquire: pairs with the release in TryPop(); the consumer is
      // done with the slot before we reuse it.
      head_cache_ = head_.load(std::memory_order_acquire);
      if (tail - head_cache_ == kCapacity) return false;
    }
    slots_[tail & (kCapacity - 1)] = item;
    // store-release: the slot (and the object behind it) now belongs to the
    // consumer.
    tail_.store(tail + 1, std::memory_order_release);
    return true;
  }

  // Consumer only.
  bool TryPop(T*& item) {
    const std::size_t head = head_.load(std::memory_order_relaxed);
    if (head == tail_cache_) {
      // load-acquire: pairs with the release in TryPush().
      tail_cache_ = tail_.load(std::memory_order_acquire);
      if (head == tail_cache_) return false;
    }
    item = slots_[head & (kCapacity - 1)];
    // store-release: the slot goes back to the producer.
    head_.store(head + 1, std::memory_order_release);
    return true;
  }

 private:
  // The producer's line.
  alignas(64) std::atomic<std::size_t> tail_{0};
  std::size_t head_cache_ = 0;
  // The consumer's line.
  alignas(64) std::atomic<std::size_t> head_{0};
  std::size_t tail_cache_ = 0;
  alignas(64) T* slots_[kCapacity] = {};
};

constexpr std::size_t kRingCapacity = 128;

// Runs the cross-thread pipeline: `take` on the benchmark thread, each object
// touched and pushed into the ring; a helper thread pops, reads and `give`s
// it back. Timed per object on the taking side.
template <std::size_t N, typename Take, typename Give>
void RunCrossThread(benchmark::State& state, Take take, Give give) {
  SpscRing<Obj<N>, kRingCapacity> ring;
  std::atomic<bool> stop{false};
  uint64_t helper_news = 0;  // written by the helper before join()
  std::thread helper([&] {
    const uint64_t news_before = tls_news;
    Backoff backoff;
    Obj<N>* obj = nullptr;
    for (;;) {
      if (ring.TryPop(obj)) {
        Consume(obj);
        give(obj);
        backoff.Reset();
        continue;
      }
      // load-acquire: pairs with the release below, so every push made
      // before `stop` is seen by the drain.
      if (stop.load(std::memory_order_acquire)) {
        while (ring.TryPop(obj)) give(obj);
        break;
      }
      backoff.Pause();
    }
    helper_news = tls_news - news_before;
  });

  const uint64_t news_before = tls_news;
  for (auto _ : state) {
    Obj<N>* obj = take();
    Touch(obj);
    Backoff backoff;
    while (!ring.TryPush(obj)) backoff.Pause();
  }
  const uint64_t taker_news = tls_news - news_before;
  stop.store(true, std::memory_order_release);
  helper.join();
  ReportAllocs(state, taker_news + helper_news);
}

// ---------------------------------------------------------------------------
// The benchmarks.

template <std::size_t N>
void BM_NewDelete(benchmark::State& state) {
  for (int i = 0; i < kWarmUpObjects; ++i) delete new Obj<N>();
  const uint64_t news_before = tls_news;
  for (auto _ : state) {
    auto* obj = new Obj<N>();
    Touch(obj);
    delete obj;
  }
  ReportAllocs(state, tls_news - news_before);
}

template <std::size_t N>
void BM_PoolGetPut(benchmark::State& state) {
  relog::Pool<Obj<N>>& pool = SharedPool<N>();
  // Registers this thread and gives it a cache slot (both allocate once).
  for (int i = 0; i < kWarmUpObjects; ++i) pool.Get();
  const uint64_t news_before = tls_news;
  for (auto _ : state) {
    relog::Pooled<Obj<N>> obj = pool.Get();
    Touch(obj.get());
  }
  ReportAllocs(state, tls_news - news_before);
}

template <std::size_t N>
void BM_MutexFreeList(benchmark::State& state) {
  MutexFreeList<N>& list = SharedFreeList<N>();
  for (int i = 0; i < kWarmUpObjects; ++i) list.Put(list.Get());
  const uint64_t news_before = tls_news;
  for (auto _ : state) {
    Obj<N>* obj = list.Get();
    Touch(obj);
    list.Put(obj);
  }
  ReportAllocs(state, tls_news - news_before);
}

template <std::size_t N>
void BM_CrossThreadNewDelete(benchmark::State& state) {
  RunCrossThread<N>(
      state, [] { return new Obj<N>(); }, [](Obj<N>* obj) { delete obj; });
}

template <std::size_t N>
void BM_CrossThreadPool(benchmark::State& state) {
  relog::Pool<Obj<N>>& pool = SharedPool<N>();
  // Warm-up: the pool must hold every object that can be out at once (the
  // ring's, the helper's cache, one on each side), or steady state would
  // still allocate. Taken and given back here, before the helper starts.
  {
    std::vector<Obj<N>*> objs;
    const std::size_t n =
        kRingCapacity + 2 * pool.options().per_thread_cache + 2;
    objs.reserve(n);
    for (std::size_t i = 0; i < n; ++i) objs.push_back(pool.GetRaw());
    for (Obj<N>* obj : objs) pool.Put(obj);
  }
  RunCrossThread<N>(
      state, [&pool] { return pool.GetRaw(); },
      [&pool](Obj<N>* obj) { pool.Put(obj); });
}

// Template benchmarks are named by hand: scripts read "BM_PoolGetPut/1024",
// not "BM_PoolGetPut<1024>".
BENCHMARK_TEMPLATE(BM_NewDelete, 64)
    ->Name("BM_NewDelete/64")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_NewDelete, 1024)
    ->Name("BM_NewDelete/1024")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_NewDelete, 4096)
    ->Name("BM_NewDelete/4096")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_NewDelete, 65536)
    ->Name("BM_NewDelete/65536")
    ->ThreadRange(1, 2);

BENCHMARK_TEMPLATE(BM_PoolGetPut, 64)
    ->Name("BM_PoolGetPut/64")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_PoolGetPut, 1024)
    ->Name("BM_PoolGetPut/1024")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_PoolGetPut, 4096)
    ->Name("BM_PoolGetPut/4096")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_PoolGetPut, 65536)
    ->Name("BM_PoolGetPut/65536")
    ->ThreadRange(1, 2);

BENCHMARK_TEMPLATE(BM_MutexFreeList, 64)
    ->Name("BM_MutexFreeList/64")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_MutexFreeList, 1024)
    ->Name("BM_MutexFreeList/1024")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_MutexFreeList, 4096)
    ->Name("BM_MutexFreeList/4096")
    ->ThreadRange(1, 2);
BENCHMARK_TEMPLATE(BM_MutexFreeList, 65536)
    ->Name("BM_MutexFreeList/65536")
    ->ThreadRange(1, 2);

BENCHMARK_TEMPLATE(BM_CrossThreadNewDelete, 64)
    ->Name("BM_CrossThreadNewDelete/64");
BENCHMARK_TEMPLATE(BM_CrossThreadNewDelete, 1024)
    ->Name("BM_CrossThreadNewDelete/1024");
BENCHMARK_TEMPLATE(BM_CrossThreadNewDelete, 4096)
    ->Name("BM_CrossThreadNewDelete/4096");
BENCHMARK_TEMPLATE(BM_CrossThreadNewDelete, 65536)
    ->Name("BM_CrossThreadNewDelete/65536");

BENCHMARK_TEMPLATE(BM_CrossThreadPool, 64)->Name("BM_CrossThreadPool/64");
BENCHMARK_TEMPLATE(BM_CrossThreadPool, 1024)->Name("BM_CrossThreadPool/1024");
BENCHMARK_TEMPLATE(BM_CrossThreadPool, 4096)->Name("BM_CrossThreadPool/4096");
BENCHMARK_TEMPLATE(BM_CrossThreadPool, 65536)->Name("BM_CrossThreadPool/65536");

}  // namespace
}  // namespace relog::bench_internal

// SPDX-License-Identifier: Apache-2.0
//
// Cross-thread stress for relog::Pool<T>: taker threads get objects and hand
// them through rings to returner threads, which put them back, the logger's
// own pattern. Every object is stamped while held, so a double hand-out or a
// missed reset is detected.

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "relog/pool/pool.h"

namespace relog {
namespace {

struct Stamped {
  std::atomic<int> holders{0};  // must be 0 when handed out
  uint64_t owner = 0;           // must be 0 (reset) when handed out
  uint64_t payload[6] = {};

  void Reset() {
    owner = 0;
    for (auto& p : payload) p = 0;
  }
  bool IsReset() const {
    if (owner != 0) return false;
    for (auto p : payload) {
      if (p != 0) return false;
    }
    return true;
  }
};

// A bounded single-producer single-consumer ring of pointers.
class Ring {
 public:
  explicit Ring(std::size_t capacity) : slots_(capacity) {}
  bool Push(Stamped* p) {
    const uint64_t t = tail_.load(std::memory_order_relaxed);
    if (t - head_.load(std::memory_order_acquire) == slots_.size())
      return false;
    slots_[t % slots_.size()] = p;
    tail_.store(t + 1, std::memory_order_release);
    return true;
  }
  Stamped* Pop() {
    const uint64_t h = head_.load(std::memory_order_relaxed);
    if (h == tail_.load(std::memory_order_acquire)) return nullptr;
    Stamped* p = slots_[h % slots_.size()];
    head_.store(h + 1, std::memory_order_release);
    return p;
  }

 private:
  std::vector<Stamped*> slots_;
  std::atomic<uint64_t> head_{0};
  std::atomic<uint64_t> tail_{0};
};

TEST(PoolStressTest, CrossThreadTakeAndReturnKeepsEveryObjectExclusive) {
#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
  constexpr uint64_t kPerTaker = 200000;
#else
  constexpr uint64_t kPerTaker = 1000000;
#endif
  constexpr int kPairs = 2;
  constexpr std::size_t kRing = 512;
  constexpr std::size_t kCache = 32;
  // A cap no run can reach and no trimming, so the number of objects ever
  // made depends only on where objects can sit, not on the schedule.
  Pool<Stamped>::Options options;
  options.max_idle = 1 << 16;
  options.per_thread_cache = kCache;
  options.trim_period = std::chrono::nanoseconds(0);
  Pool<Stamped> pool(std::move(options));
  std::atomic<uint64_t> violations{0};
  std::vector<std::unique_ptr<Ring>> rings;
  for (int i = 0; i < kPairs; ++i) rings.push_back(std::make_unique<Ring>(kRing));

  std::vector<std::thread> threads;
  for (int p = 0; p < kPairs; ++p) {
    Ring& ring = *rings[p];
    threads.emplace_back([&, p] {
      const uint64_t id = static_cast<uint64_t>(p) + 1;
      for (uint64_t i = 0; i < kPerTaker; ++i) {
        Stamped* s = pool.Get().release();
        if (s->holders.fetch_add(1) != 0 || !s->IsReset()) {
          violations.fetch_add(1);
        }
        s->owner = id;
        s->payload[i % 6] = i + 1;
        while (!ring.Push(s)) std::this_thread::yield();
      }
      while (!ring.Push(nullptr)) std::this_thread::yield();  // end marker
    });
    threads.emplace_back([&, p] {
      const uint64_t id = static_cast<uint64_t>(p) + 1;
      uint64_t expected_next = 1;
      for (;;) {
        Stamped* s = ring.Pop();
        if (s == nullptr) {
          // Either empty or the end marker; the marker is the last push.
          std::this_thread::yield();
          Stamped* again = ring.Pop();
          if (again == nullptr) {
            if (expected_next > kPerTaker) break;
            continue;
          }
          s = again;
        }
        if (s->owner != id ||
            s->payload[(expected_next - 1) % 6] != expected_next) {
          violations.fetch_add(1);
        }
        ++expected_next;
        s->holders.fetch_sub(1);
        pool.Put(s);
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(violations.load(), 0u);
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.gets, kPerTaker * kPairs);
  EXPECT_EQ(s.gets, s.hits + s.misses);
  EXPECT_EQ(s.puts, s.gets);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.dropped, 0u);
  // A get misses only when its cache and the shared store are empty, that is
  // when every object made so far sits in a ring, in a thread cache or in a
  // thread's hands. So objects flowed back and were reused: the makes are
  // bounded by those places, whatever the interleaving.
  constexpr uint64_t kPlaces = kPairs * (kRing + 1) + 2 * kPairs * (kCache + 1);
  EXPECT_LE(s.misses, kPlaces);
}

TEST(PoolStressTest, ManyShortLivedThreadsLeaveNothingBehind) {
  Pool<Stamped> pool;
  std::vector<std::thread> threads;
  for (int round = 0; round < 20; ++round) {
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        std::vector<Pooled<Stamped>> held;
        for (int i = 0; i < 50; ++i) held.push_back(pool.Get());
      });
    }
    for (auto& t : threads) t.join();
    threads.clear();
  }
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.gets, 20u * 8 * 50);
  EXPECT_EQ(s.puts, s.gets);
  EXPECT_EQ(s.live, 0u);
  EXPECT_LE(s.idle, pool.options().max_idle);
}

}  // namespace
}  // namespace relog

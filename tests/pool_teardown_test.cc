// SPDX-License-Identifier: Apache-2.0
//
// Teardown orders for relog::Pool<T>: a pool destroyed while other threads
// still cache its objects, threads that exit while the pool lives, and a
// thread that outlives several pools. Run under ASan/LSan and TSan, where a
// leak, a use after free or a race fails the test.

#include <latch>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "relog/pool/buffer_pool.h"
#include "relog/pool/pool.h"

namespace relog {
namespace {

std::atomic<int> g_alive{0};

struct Counted {
  Counted() { g_alive.fetch_add(1); }
  ~Counted() { g_alive.fetch_sub(1); }
  int value = 0;
  void Reset() { value = 0; }
};

TEST(PoolTeardownTest, PoolDestroyedWhileOtherThreadsCacheItsObjects) {
  g_alive = 0;
  std::latch cached(2);
  std::latch pool_gone(1);
  auto pool = std::make_unique<Pool<Counted>>();
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back([&] {
      {
        std::vector<Pooled<Counted>> held;
        for (int i = 0; i < 10; ++i) held.push_back(pool->Get());
      }  // now cached by this thread
      cached.count_down();
      pool_gone.wait();
      // The thread exits after its pool is gone: nothing to hand back.
    });
  }
  cached.wait();
  EXPECT_EQ(g_alive.load(), 20);
  pool.reset();
  EXPECT_EQ(g_alive.load(), 0) << "the destructor frees other threads' caches";
  pool_gone.count_down();
  for (auto& t : threads) t.join();
  EXPECT_EQ(g_alive.load(), 0);
}

TEST(PoolTeardownTest, ThreadsExitWhileThePoolLives) {
  g_alive = 0;
  {
    Pool<Counted> pool;
    std::latch all_hold(4);  // so no thread reuses another's objects
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        std::vector<Pooled<Counted>> held;
        for (int i = 0; i < 10; ++i) held.push_back(pool.Get());
        all_hold.arrive_and_wait();
      });
    }
    for (auto& t : threads) t.join();
    const PoolStats s = pool.GetStats();
    EXPECT_EQ(s.idle, 40u);
    EXPECT_EQ(s.live, 0u);
  }
  EXPECT_EQ(g_alive.load(), 0);
}

TEST(PoolTeardownTest, ThreadOutlivesManyPools) {
  g_alive = 0;
  std::thread t([] {
    for (int round = 0; round < 50; ++round) {
      Pool<Counted> pool;
      BufferPool buffers;
      std::vector<Pooled<Counted>> held;
      for (int i = 0; i < 5; ++i) held.push_back(pool.Get());
      BufferPool::Buffer b = buffers.Get(1000);
      b.Append("data");
    }
  });
  t.join();
  EXPECT_EQ(g_alive.load(), 0);
}

TEST(PoolTeardownTest, CrossThreadHandOffThenBothDie) {
  g_alive = 0;
  auto pool = std::make_unique<Pool<Counted>>();
  std::vector<Counted*> handed;
  std::thread taker([&] {
    for (int i = 0; i < 100; ++i) handed.push_back(pool->Get().release());
  });
  taker.join();
  std::thread returner([&] {
    for (Counted* c : handed) pool->Put(c);
  });
  returner.join();
  EXPECT_EQ(pool->GetStats().live, 0u);
  pool.reset();
  EXPECT_EQ(g_alive.load(), 0);
}

}  // namespace
}  // namespace relog

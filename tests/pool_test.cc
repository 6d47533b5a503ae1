// SPDX-License-Identifier: Apache-2.0
//
// Unit tests for relog::Pool<T>: reset, the debug reset check, the cap, the
// clock-driven trim and the statistics.

#include "relog/pool/pool.h"

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "absl/base/config.h"
#include "gtest/gtest.h"

namespace relog {
namespace {

struct Request {
  int id = 0;
  std::string user;
  std::vector<int> items;
  bool authorized = false;

  void Reset() {
    id = 0;
    user.clear();
    items.clear();
    authorized = false;
  }
  bool IsReset() const {
    return id == 0 && user.empty() && items.empty() && !authorized;
  }
};

// Its Reset() forgets `authorized`: exactly the bug a pool must not hide.
struct LeakyRequest {
  int id = 0;
  bool authorized = false;
  void Reset() { id = 0; }
  bool IsReset() const { return id == 0 && !authorized; }
};

Pool<Request>::Options NoCacheOptions() {
  Pool<Request>::Options o;
  o.per_thread_cache = 0;
  return o;
}

TEST(PoolTest, GetAfterPutReturnsResetObject) {
  Pool<Request> pool;
  Request* first = nullptr;
  {
    Pooled<Request> r = pool.Get();
    r->id = 42;
    r->user = "alice";
    r->items = {1, 2, 3};
    r->authorized = true;
    first = r.get();
  }
  Pooled<Request> again = pool.Get();
  EXPECT_EQ(again.get(), first) << "the object should be recycled";
  EXPECT_EQ(again->id, 0);
  EXPECT_TRUE(again->user.empty());
  EXPECT_TRUE(again->items.empty());
  EXPECT_FALSE(again->authorized);
  EXPECT_GE(again->items.capacity(), 3u) << "capacity is worth keeping";
}

TEST(PoolTest, ReleasedPointerCanBePutBackFromAnotherThread) {
  Pool<Request> pool;
  Request* raw = pool.Get().release();
  raw->user = "bob";
  std::thread other([&] { pool.Put(raw); });
  other.join();
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.gets, 1u);
  EXPECT_EQ(s.puts, 1u);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.idle, 1u);
  Pooled<Request> back = pool.Get();
  EXPECT_TRUE(back->user.empty());
}

TEST(PoolTest, AdoptWrapsARawPointerBack) {
  Pool<Request> pool;
  Request* raw = pool.Get().release();
  EXPECT_EQ(pool.GetStats().live, 1u);
  { Pooled<Request> h = pool.Adopt(raw); }
  EXPECT_EQ(pool.GetStats().live, 0u);
}

TEST(PoolTest, FactoryIsUsedOnMiss) {
  int made = 0;
  Pool<Request>::Options o;
  o.factory = [&made] {
    ++made;
    return new Request();
  };
  Pool<Request> pool(std::move(o));
  { auto a = pool.Get(); }
  { auto b = pool.Get(); }
  EXPECT_EQ(made, 1);
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.gets, 2u);
  EXPECT_EQ(s.misses, 1u);
  EXPECT_EQ(s.hits, 1u);
}

TEST(PoolDeathTest, ForgottenFieldIsCaughtInDebugBuilds) {
#ifdef NDEBUG
  GTEST_SKIP() << "the reset check is a debug-build check";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  Pool<LeakyRequest> pool;
  EXPECT_DEATH(
      {
        Pooled<LeakyRequest> r = pool.Get();
        r->authorized = true;
        r.reset();
      },
      "Reset\\(\\) left an object of type .*LeakyRequest.* dirty");
#endif
}

TEST(PoolTest, CapKeepsExactlyKIdleAndCountsDrops) {
  constexpr int kCap = 8;
  constexpr int kExtra = 5;
  Pool<Request>::Options o = NoCacheOptions();
  o.max_idle = kCap;
  Pool<Request> pool(std::move(o));
  std::vector<Pooled<Request>> out;
  for (int i = 0; i < kCap + kExtra; ++i) out.push_back(pool.Get());
  out.clear();
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.idle, static_cast<uint64_t>(kCap));
  EXPECT_EQ(s.dropped, static_cast<uint64_t>(kExtra));
  EXPECT_EQ(s.live, 0u);
}

TEST(PoolTest, CapAppliesWhenAThreadCacheIsReleased) {
  constexpr int kCap = 4;
  constexpr int kExtra = 12;
  Pool<Request>::Options o;
  o.max_idle = kCap;
  o.per_thread_cache = 8;
  Pool<Request> pool(std::move(o));
  std::vector<Pooled<Request>> out;
  for (int i = 0; i < kCap + kExtra; ++i) out.push_back(pool.Get());
  out.clear();
  pool.ReleaseCallerCache();
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.idle, static_cast<uint64_t>(kCap));
  EXPECT_EQ(s.dropped, static_cast<uint64_t>(kExtra));
}

TEST(PoolTest, TrimFreesObjectsIdleForTwoPeriodsAndKeepsUsedOnes) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point now{};
  Pool<Request>::Options o = NoCacheOptions();
  o.trim_period = std::chrono::seconds(10);
  o.clock = [&now] { return now; };
  Pool<Request> pool(std::move(o));

  std::vector<Pooled<Request>> out;
  for (int i = 0; i < 10; ++i) out.push_back(pool.Get());
  out.clear();
  EXPECT_EQ(pool.GetStats().idle, 10u);

  // One period: everything is aged into the victim generation, none freed.
  now += std::chrono::seconds(10);
  pool.MaybeTrim();
  EXPECT_EQ(pool.GetStats().trimmed, 0u);
  EXPECT_EQ(pool.GetStats().idle, 10u);

  // Use three in between: they come back fresh.
  for (int i = 0; i < 3; ++i) out.push_back(pool.Get());
  out.clear();

  // Not yet due: nothing happens.
  now += std::chrono::seconds(5);
  pool.MaybeTrim();
  EXPECT_EQ(pool.GetStats().trimmed, 0u);

  // Second period: the seven untouched ones go, the three used ones stay.
  now += std::chrono::seconds(5);
  pool.MaybeTrim();
  PoolStats s = pool.GetStats();
  EXPECT_EQ(s.trimmed, 7u);
  EXPECT_EQ(s.idle, 3u);

  // Two more idle periods free the rest.
  pool.Trim();
  pool.Trim();
  s = pool.GetStats();
  EXPECT_EQ(s.trimmed, 10u);
  EXPECT_EQ(s.idle, 0u);
}

TEST(PoolTest, SlowPathTrimsOnTheClock) {
  using Clock = std::chrono::steady_clock;
  Clock::time_point now{};
  Pool<Request>::Options o = NoCacheOptions();
  o.trim_period = std::chrono::seconds(1);
  o.clock = [&now] { return now; };
  Pool<Request> pool(std::move(o));
  { auto a = pool.Get(); }
  now += std::chrono::seconds(1);
  { auto b = pool.Get(); }  // ages `a` first, then takes it from the victims
  now += std::chrono::seconds(1);
  { auto c = pool.Get(); }
  now += std::chrono::seconds(1);
  { auto d = pool.Get(); }
  // Each Get found the object aged once, never twice: nothing freed.
  EXPECT_EQ(pool.GetStats().trimmed, 0u);
  EXPECT_EQ(pool.GetStats().misses, 1u);
}

TEST(PoolTest, StatsBalance) {
  Pool<Request> pool;
  std::vector<Pooled<Request>> out;
  for (int round = 0; round < 5; ++round) {
    for (int i = 0; i < 100; ++i) out.push_back(pool.Get());
    out.clear();
  }
  const PoolStats s = pool.GetStats();
  EXPECT_EQ(s.gets, 500u);
  EXPECT_EQ(s.gets, s.hits + s.misses);
  EXPECT_EQ(s.misses, 100u);
  EXPECT_EQ(s.puts, 500u);
  EXPECT_EQ(s.live, 0u);
  EXPECT_EQ(s.idle, 100u);
}

TEST(PoolTest, LiveCountsOutstandingObjects) {
  Pool<Request> pool;
  auto a = pool.Get();
  auto b = pool.Get();
  EXPECT_EQ(pool.GetStats().live, 2u);
  a.reset();
  EXPECT_EQ(pool.GetStats().live, 1u);
}

TEST(PoolTest, ExitingThreadHandsItsCacheBack) {
  Pool<Request> pool;
  std::thread t([&] {
    std::vector<Pooled<Request>> out;
    for (int i = 0; i < 20; ++i) out.push_back(pool.Get());
  });
  t.join();
  PoolStats s = pool.GetStats();
  EXPECT_EQ(s.idle, 20u);
  EXPECT_EQ(s.gets, 20u);
  EXPECT_EQ(s.puts, 20u);
  // The objects are reachable from this thread now.
  std::vector<Pooled<Request>> mine;
  for (int i = 0; i < 20; ++i) mine.push_back(pool.Get());
  EXPECT_EQ(pool.GetStats().misses, 20u);
  EXPECT_EQ(pool.GetStats().hits, 20u);
}

// FillCallerCache() takes what the shared store has first, makes the rest,
// and leaves the calling thread's cache full: the next gets are all hits.
TEST(PoolTest, FillCallerCacheLeavesTheCacheFull) {
  Pool<Request>::Options o;
  o.per_thread_cache = 8;
  Pool<Request> pool(o);
  pool.Reserve(3);
  std::thread([&] {
    EXPECT_EQ(pool.CallerCacheSize(), 0u);
    pool.FillCallerCache();
    EXPECT_EQ(pool.CallerCacheSize(), 8u);
    PoolStats s = pool.GetStats();
    EXPECT_EQ(s.idle, 8u);
    EXPECT_EQ(s.gets, 0u);
    std::vector<Pooled<Request>> out;
    for (int i = 0; i < 8; ++i) out.push_back(pool.Get());
    EXPECT_EQ(pool.CallerCacheSize(), 0u);
    s = pool.GetStats();
    EXPECT_EQ(s.hits, 8u);
    EXPECT_EQ(s.misses, 0u);
    for (auto& r : out) EXPECT_TRUE(r->IsReset());
  }).join();
}

}  // namespace
}  // namespace relog

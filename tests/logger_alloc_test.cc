// SPDX-License-Identifier: Apache-2.0
//
// After warm-up, a log call of the standard message allocates nothing on the
// calling thread: operator new is counted per thread in this binary.

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>

#include "absl/base/config.h"
#include "gtest/gtest.h"
#include "relog/logger/logger.h"
#include "relog/sinks/null_sink.h"

namespace {
thread_local uint64_t tls_news = 0;
}  // namespace

void* operator new(std::size_t n) {
  ++tls_news;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  ++tls_news;
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
// Pooled entries are allocated aligned: count that form too.
void* operator new(std::size_t n, std::align_val_t align) {
  ++tls_news;
  void* p = nullptr;
  const std::size_t a =
      std::max(static_cast<std::size_t>(align), sizeof(void*));
  if (posix_memalign(&p, a, n == 0 ? 1 : n) != 0) throw std::bad_alloc();
  return p;
}
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
  std::free(p);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

namespace relog {
namespace {

// Warms `logger` up, then makes 100,000 calls of `log_one` and checks that
// none allocated on this thread.
template <typename LogOne>
void ExpectNoAllocationsInSteadyState(Logger& logger, const LogOne& log_one) {
  auto log_many = [&](int n) {
    for (int i = 0; i < n; ++i) log_one(i);
  };
  // Warm-up: enough calls to fill the queue and create every entry that can
  // be in flight at once.
  log_many(50000);
  logger.Flush();

  const uint64_t misses_before = logger.GetStats().entry_pool.misses;
  const uint64_t before = tls_news;
  log_many(100000);
  const uint64_t after = tls_news;
  logger.Flush();
  EXPECT_EQ(after - before, 0u) << "operator new calls on the calling thread";
  EXPECT_EQ(logger.GetStats().entry_pool.misses, misses_before);
  EXPECT_EQ(logger.GetStats().entry_pool.live, 0u);
}

LoggerOptions InfoOptions(bool deferred = true) {
  LoggerOptions o;
  o.level = Level::kInfo;
  o.deferred_formatting = deferred;
  return o;
}

// The default: the arguments are copied into the entry, the sink side
// formats.
TEST(LoggerAllocTest, SteadyStateLogCallsAllocateNothing) {
  Logger logger(InfoOptions(), {std::make_shared<NullSink>()});
  ExpectNoAllocationsInSteadyState(logger, [&](int i) {
    RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               "a string");
  });
}

// Through a named child (Logger::Child()), made before the steady state:
// the same pool, the same cost.
TEST(LoggerAllocTest, CallsThroughAChildAllocateNothing) {
  Logger logger(InfoOptions(), {std::make_shared<NullSink>()});
  Logger& child = logger.Child("net.tcp");
  ExpectNoAllocationsInSteadyState(logger, [&](int i) {
    RELOG_INFO(child, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               "a string");
  });
}

// Three named fields (logger/fields.h), deferred and on the caller: the
// fields go into the entry's own buffer, the names stay in the format.
TEST(LoggerAllocTest, CallsWithNamedFieldsAllocateNothing) {
  for (const bool deferred : {true, false}) {
    Logger logger(InfoOptions(deferred), {std::make_shared<NullSink>()});
    ExpectNoAllocationsInSteadyState(logger, [&](int i) {
      RELOG_INFO(logger, "order {order_id} by {user} in {ms:.1f} ms", i,
                 "a string", i * 0.5);
    });
  }
}

// Context fields (Logger::With(), ScopedFields), made before the steady
// state: each call copies them into its entry's own buffer.
TEST(LoggerAllocTest, CallsWithContextAllocateNothing) {
  for (const bool deferred : {true, false}) {
    Logger logger(InfoOptions(deferred), {std::make_shared<NullSink>()});
    std::unique_ptr<Logger> api =
        logger.With({{"service", "api"}, {"shard", 3}});
    ScopedFields scope{{"request_id", "r-0001"}};
    ExpectNoAllocationsInSteadyState(logger, [&](int i) {
      RELOG_INFO(*api, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
                 "a string");
    });
  }
}

// Formatting on the caller (the option off).
TEST(LoggerAllocTest, CallsThatFormatOnTheCallerAllocateNothing) {
  Logger logger(InfoOptions(/*deferred=*/false),
                {std::make_shared<NullSink>()});
  ExpectNoAllocationsInSteadyState(logger, [&](int i) {
    RELOG_INFO(logger, "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               "a string");
  });
}

// Arguments longer than an entry holds inline: the copy grows into a
// buffer the entry keeps from then on. So an entry allocates the first time
// it carries a long message, and never again: the calls reach a steady
// state with no allocation, after at most one allocation per entry.
TEST(LoggerAllocTest, LongDeferredArgumentsReachASteadyStateWithout) {
  Logger logger(InfoOptions(), {std::make_shared<NullSink>()});
  const std::string big(1000, 'b');
  const uint64_t entries = logger.GetStats().entry_pool.idle;
  uint64_t total = 0;
  bool steady = false;
  for (int phase = 0; phase < 40 && !steady; ++phase) {
    const uint64_t before = tls_news;
    for (int i = 0; i < 100000; ++i) RELOG_INFO(logger, "{} {}", i, big);
    const uint64_t news = tls_news - before;
    logger.Flush();
    total += news;
    steady = news == 0;
  }
  EXPECT_TRUE(steady) << "every phase of 100,000 calls allocated";
  EXPECT_LE(total, entries) << "more allocations than entries";
  EXPECT_EQ(logger.GetStats().entry_pool.live, 0u);
}

// The same through the run-time-parsed path (Logger::Log, which the macros
// use under RELOG_COMPILE_FORMATS=0).
TEST(LoggerAllocTest, RuntimeFormatCallsAllocateNothing) {
  Logger logger(InfoOptions(), {std::make_shared<NullSink>()});
  ExpectNoAllocationsInSteadyState(logger, [&](int i) {
    logger.Log(Level::kInfo, RELOG_SOURCE_LOCATION,
               "Logging int: {}, double: {}, string: {}", i, i * 0.5,
               "a string");
  });
}

}  // namespace
}  // namespace relog

// SPDX-License-Identifier: Apache-2.0
//
// Unit tests for relog::BufferPool: size classes, oversize buffers, kept
// capacity, and (under ASan) poisoning of idle buffers.

#include "relog/pool/buffer_pool.h"

#include <cstring>
#include <string>

#include "absl/base/config.h"
#include "gtest/gtest.h"

namespace relog {
namespace {

TEST(BufferPoolTest, RequestsRoundUpToTheirClass) {
  BufferPool pool;
  EXPECT_EQ(pool.min_class(), 256u);
  EXPECT_GE(pool.max_class(), 64u * 1024);
  EXPECT_EQ(pool.Get(1).capacity(), 256u);
  EXPECT_EQ(pool.Get(256).capacity(), 256u);
  EXPECT_EQ(pool.Get(257).capacity(), 512u);
  EXPECT_EQ(pool.Get(3000).capacity(), 4096u);
  EXPECT_EQ(pool.Get(64 * 1024).capacity(), 64u * 1024);
  EXPECT_EQ(pool.ClassSize(65 * 1024), 0u);
}

TEST(BufferPoolTest, OversizeBuffersAreNotRetained) {
  BufferPool pool;
  const std::size_t big = 1024 * 1024;
  {
    BufferPool::Buffer b = pool.Get(big);
    EXPECT_EQ(b.capacity(), big);
    std::memset(b.data(), 'x', big);
  }
  const BufferPool::Stats s = pool.GetStats();
  EXPECT_EQ(s.oversize, 1u);
  EXPECT_EQ(s.pooled.idle, 0u);
  EXPECT_EQ(s.pooled.gets, 0u);
}

TEST(BufferPoolTest, CapacitySurvivesGetAndPut) {
  BufferPool pool;
  const char* data = nullptr;
  {
    BufferPool::Buffer b = pool.Get(4000);
    b.Append(std::string(4000, 'a'));
    data = b.data();
    EXPECT_EQ(b.capacity(), 4096u);
  }
  BufferPool::Buffer again = pool.Get(3000);
  EXPECT_EQ(again.data(), data) << "the same 4 KiB buffer should come back";
  EXPECT_EQ(again.capacity(), 4096u);
  EXPECT_EQ(again.size(), 0u);
}

TEST(BufferPoolTest, GrownBufferIsKeptInItsLargerClass) {
  BufferPool pool;
  const char* grown = nullptr;
  {
    BufferPool::Buffer b = pool.Get(10);
    EXPECT_EQ(b.capacity(), 256u);
    b.Append(std::string(1000, 'z'));
    EXPECT_EQ(b.capacity(), 1024u);
    EXPECT_EQ(b.view(), std::string(1000, 'z'));
    grown = b.data();
  }
  EXPECT_EQ(pool.GetClassStats(1024).idle, 1u);
  BufferPool::Buffer again = pool.Get(700);
  EXPECT_EQ(again.data(), grown);
}

TEST(BufferPoolTest, StatsBalance) {
  BufferPool pool;
  for (int i = 0; i < 1000; ++i) {
    BufferPool::Buffer b = pool.Get(static_cast<std::size_t>(i * 37 % 5000));
    b.Append("payload");
  }
  const BufferPool::Stats s = pool.GetStats();
  EXPECT_EQ(s.pooled.gets, 1000u);
  EXPECT_EQ(s.pooled.gets, s.pooled.hits + s.pooled.misses);
  EXPECT_EQ(s.pooled.live, 0u);
}

TEST(BufferPoolDeathTest, WritingAfterReturnIsReportedUnderAsan) {
#ifndef ABSL_HAVE_ADDRESS_SANITIZER
  GTEST_SKIP() << "poisoning of idle buffers is an ASan-build feature";
#else
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  BufferPool pool;
  EXPECT_DEATH(
      {
        BufferPool::Block block = pool.Allocate(100);
        pool.Deallocate(block.data, block.capacity);
        block.data[10] = 'x';  // use after return
      },
      "use-after-poison");
#endif
}

}  // namespace
}  // namespace relog

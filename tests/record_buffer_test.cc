// SPDX-License-Identifier: Apache-2.0
//
// sink_internal::RecordBuffer: what a short write leaves (a file completes
// a cut record; a reconnected stream sends it again whole), and that a huge
// record does not keep a huge buffer once it is out.

#include "relog/sinks/record_buffer.h"

#include <string>

#include "gtest/gtest.h"

namespace relog::sink_internal {
namespace {

void Add(RecordBuffer& b, const std::string& record) {
  b.bytes().append(record.data(), record.data() + record.size());
  b.EndRecord();
}

TEST(RecordBufferTest, ConsumeCountsCompletedRecordsAndKeepsTheRestOfACutOne) {
  RecordBuffer b;
  Add(b, "one\n");
  Add(b, "two\n");
  Add(b, "three\n");
  EXPECT_EQ(b.records(), 3u);
  EXPECT_EQ(b.Consume(6), 1u);  // "one\n" and "tw"
  EXPECT_EQ(b.data(), "o\nthree\n");
  EXPECT_EQ(b.records(), 2u);
  EXPECT_EQ(b.record(0), "o\n");
  EXPECT_EQ(b.Consume(2), 1u);
  EXPECT_EQ(b.Consume(6), 1u);
  EXPECT_TRUE(b.empty());
}

TEST(RecordBufferTest, ConsumeWholeKeepsACutRecordWhole) {
  RecordBuffer b;
  Add(b, "one\n");
  Add(b, "two\n");
  EXPECT_EQ(b.ConsumeWhole(6), 1u);
  EXPECT_EQ(b.data(), "two\n");
  EXPECT_EQ(b.ConsumeWhole(3), 0u);
  EXPECT_EQ(b.data(), "two\n");
  b.DropRecords(1);
  EXPECT_TRUE(b.empty());
}

TEST(RecordBufferTest, AHugeRecordDoesNotPinAHugeBuffer) {
  RecordBuffer b;
  Add(b, std::string(10 << 20, 'x'));  // 10 MiB
  EXPECT_GE(b.bytes().capacity(), std::size_t{10} << 20);
  EXPECT_EQ(b.Consume(b.data().size()), 1u);
  EXPECT_LE(b.bytes().capacity(), RecordBuffer::kKeepBytes);
  // Ordinary batches keep their buffer.
  for (int i = 0; i < 1000; ++i) Add(b, std::string(100, 'y'));
  const std::size_t capacity = b.bytes().capacity();
  b.Clear();
  EXPECT_EQ(b.bytes().capacity(), capacity);
}

}  // namespace
}  // namespace relog::sink_internal

// SPDX-License-Identifier: Apache-2.0
//
// sinks/record_buffer.h: relog::sink_internal::RecordBuffer, the bytes of a
// sink's pending records and where each one ends, for sinks that buffer a
// batch and may get only part of it out (a short write, a failed send).
//
// A sink formats each record into bytes() and closes it with EndRecord().
// After a write of the first n bytes, Consume(n) drops them and says how
// many records they completed (a record cut in the middle keeps its rest at
// the front, for a file, where the rest is appended later);
// ConsumeWhole(n) drops only the records that lay wholly within them (for a
// stream that is reconnected, where a record must be sent again whole).
//
// Clear() gives a large allocation back, so one huge message does not pin
// a huge buffer for the life of the sink.
//
// Thread-compatible: owned by one sink and used on its thread.

#ifndef RELOG_SINKS_RECORD_BUFFER_H_
#define RELOG_SINKS_RECORD_BUFFER_H_

#include <cstddef>
#include <string_view>
#include <vector>

#include "fmt/format.h"

namespace relog::sink_internal {

class RecordBuffer {
 public:
  // Capacity kept across batches; a buffer grown past it is given back
  // when it empties. A full batch of typical lines fits well within it.
  static constexpr std::size_t kKeepBytes = 512 * 1024;

  RecordBuffer() { ends_.reserve(1100); }
  RecordBuffer(const RecordBuffer&) = delete;
  RecordBuffer& operator=(const RecordBuffer&) = delete;

  // Where a formatter appends the record being built.
  fmt::memory_buffer& bytes() { return bytes_; }
  // Closes the record built since the last EndRecord().
  void EndRecord() { ends_.push_back(bytes_.size()); }
  // Bytes of the record being built (since the last EndRecord()).
  std::size_t open_bytes() const {
    return bytes_.size() - (ends_.empty() ? 0 : ends_.back());
  }

  std::size_t records() const { return ends_.size(); }
  bool empty() const { return ends_.empty() && bytes_.size() == 0; }
  std::string_view data() const {
    return std::string_view(bytes_.data(), bytes_.size());
  }
  // The bytes of the closed records only.
  std::string_view closed_data() const {
    return data().substr(0, ends_.empty() ? 0 : ends_.back());
  }
  // Record `i` (0 = oldest).
  std::string_view record(std::size_t i) const {
    const std::size_t begin = i == 0 ? 0 : ends_[i - 1];
    return data().substr(begin, ends_[i] - begin);
  }
  // Bytes of the first `n` records.
  std::size_t bytes_of(std::size_t n) const {
    return n == 0 ? 0 : ends_[n - 1];
  }

  // RecordBuffer::Consume(): drops the first `n` bytes; returns how many
  // records they completed.
  std::size_t Consume(std::size_t n);
  // RecordBuffer::ConsumeWhole(): drops the records that lie wholly within
  // the first `n` bytes; returns how many.
  std::size_t ConsumeWhole(std::size_t n);
  // RecordBuffer::DropRecords(): drops the first `n` records.
  void DropRecords(std::size_t n) { Consume(bytes_of(n)); }
  // RecordBuffer::Clear(): drops everything, and gives back an allocation
  // larger than kKeepBytes.
  void Clear();

 private:
  fmt::memory_buffer bytes_;
  std::vector<std::size_t> ends_;
};

}  // namespace relog::sink_internal

#endif  // RELOG_SINKS_RECORD_BUFFER_H_

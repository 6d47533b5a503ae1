// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/record_buffer.h"

#include <algorithm>
#include <cstring>
#include <utility>

namespace relog::sink_internal {

std::size_t RecordBuffer::Consume(std::size_t n) {
  n = std::min(n, bytes_.size());
  if (n == bytes_.size() && n > 0 && (ends_.empty() || ends_.back() == n)) {
    const std::size_t completed = ends_.size();
    Clear();
    return completed;
  }
  const auto done = std::upper_bound(ends_.begin(), ends_.end(), n);
  const std::size_t completed = static_cast<std::size_t>(done - ends_.begin());
  ends_.erase(ends_.begin(), done);
  for (std::size_t& end : ends_) end -= n;
  const std::size_t rest = bytes_.size() - n;
  std::memmove(bytes_.data(), bytes_.data() + n, rest);
  bytes_.resize(rest);
  return completed;
}

std::size_t RecordBuffer::ConsumeWhole(std::size_t n) {
  const auto done = std::upper_bound(ends_.begin(), ends_.end(), n);
  const std::size_t whole = static_cast<std::size_t>(done - ends_.begin());
  Consume(bytes_of(whole));
  return whole;
}

void RecordBuffer::Clear() {
  ends_.clear();
  if (bytes_.capacity() > kKeepBytes) {
    bytes_ = fmt::memory_buffer();
  } else {
    bytes_.clear();
  }
}

}  // namespace relog::sink_internal

// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/memory_sink.h"

namespace relog {

MemorySink::MemorySink(std::unique_ptr<Formatter> formatter)
    : Sink("memory"),
      formatter_(formatter ? std::move(formatter)
                           : std::make_unique<TextFormatter>()) {}

void MemorySink::DoWrite(const Entry& entry) {
  scratch_.clear();
  formatter_->Format(entry, scratch_);
  std::size_t n = scratch_.size();
  if (n > 0 && scratch_.data()[n - 1] == '\n') --n;
  std::lock_guard<std::mutex> lock(mu_);
  lines_.emplace_back(scratch_.data(), n);
  messages_.emplace_back(entry.message());
  levels_.push_back(entry.level());
  grew_.notify_all();
  RecordsDelivered(1);
}

bool MemorySink::WaitForSize(std::size_t n,
                             std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return grew_.wait_for(lock, timeout, [&] { return messages_.size() >= n; });
}

std::vector<std::string> MemorySink::lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

std::vector<std::string> MemorySink::messages() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_;
}

std::vector<Level> MemorySink::levels() const {
  std::lock_guard<std::mutex> lock(mu_);
  return levels_;
}

std::size_t MemorySink::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return messages_.size();
}

void MemorySink::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.clear();
  messages_.clear();
  levels_.clear();
}

}  // namespace relog

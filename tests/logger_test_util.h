// SPDX-License-Identifier: Apache-2.0
//
// tests/logger_test_util.h: sinks for the logger tests (a sink that blocks
// on demand, a sink whose flushes fail on demand) and test access to a
// logger's internals.

#ifndef RELOG_TESTS_LOGGER_TEST_UTIL_H_
#define RELOG_TESTS_LOGGER_TEST_UTIL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <string_view>
#include <vector>

#include "relog/logger/logger.h"
#include "relog/logger/sink.h"

namespace relog {

class LoggerTestPeer {
 public:
  // True while the logger's only sink thread is parked.
  static bool SinkParked(const Logger& logger) {
    return logger.core_->fast_inbox_ != nullptr &&
           logger.core_->fast_inbox_->parked();
  }
  // Entries in the calling thread's cache of the logger's pool.
  static std::size_t CachedEntries(const Logger& logger) {
    return logger.core_->entries_.CallerCacheSize();
  }
  // How many of the logger's sink threads are lagging (calls format on the
  // caller meanwhile; LoggerCore::ShouldDefer()).
  static uint32_t LaggingSinks(const Logger& logger) {
    return logger.core_->lagging_sinks_.load();
  }
};

namespace testing {

// Options for a test's logger: every level, and the given queue size.
inline LoggerOptions TestLoggerOptions(std::string name,
                                       std::size_t queue_capacity = 8192) {
  LoggerOptions o;
  o.name = std::move(name);
  o.level = Level::kTrace;
  o.queue_capacity = queue_capacity;
  return o;
}

// A sink whose writes wait until the test opens its gate: a slow or stuck
// sink on demand. Records messages like MemorySink.
class GatedSink final : public Sink {
 public:
  GatedSink() : Sink("gated") {}

  void Open() {
    std::lock_guard<std::mutex> lock(mu_);
    open_ = true;
    cv_.notify_all();
  }
  // Blocks until the sink thread is inside a write, waiting at the gate;
  // false if that has not happened within a minute.
  [[nodiscard]] bool WaitUntilBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(60),
                        [&] { return entered_ > 0; });
  }
  // Entries that reached DoWrite() (the one waiting at the gate included).
  int entered() const {
    std::lock_guard<std::mutex> lock(mu_);
    return entered_;
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }

 protected:
  void DoWrite(const Entry& entry) override {
    std::unique_lock<std::mutex> lock(mu_);
    ++entered_;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    messages_.emplace_back(entry.message());
    RecordsDelivered(1);
  }
  void DoFlush() override {}

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  int entered_ = 0;
  std::vector<std::string> messages_;
};

// A sink that buffers messages and delivers them at the flush, unless the
// test says flushes fail (always, or through a predicate called for each
// flush); a failed flush reports an error and keeps everything pending.
// Records exactly what it delivered, and how many it was told to discard.
class FlakySink final : public Sink {
 public:
  FlakySink() : Sink("flaky") {}

  void set_failing(bool failing) { failing_.store(failing); }
  // Decides each flush when set (called on the sink thread).
  void set_fail_if(std::function<bool()> fail_if) {
    std::lock_guard<std::mutex> lock(mu_);
    fail_if_ = std::move(fail_if);
  }
  std::vector<std::string> delivered() const {
    std::lock_guard<std::mutex> lock(mu_);
    return delivered_;
  }
  // "file:line" of each delivered record's source.
  std::vector<std::string> locations() const {
    std::lock_guard<std::mutex> lock(mu_);
    return locations_;
  }
  uint64_t discarded() const {
    std::lock_guard<std::mutex> lock(mu_);
    return discarded_;
  }
  uint64_t failed_flushes() const { return failed_flushes_.load(); }

 protected:
  void DoWrite(const Entry& entry) override {
    buffer_.emplace_back(entry.message());
    std::string_view file = entry.location().file;
    file = file.substr(file.rfind('/') + 1);
    buffer_locations_.push_back(std::string(file) + ":" +
                                std::to_string(entry.location().line));
  }
  void DoFlush() override {
    bool fail = failing_.load();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!fail && fail_if_) fail = fail_if_();
      if (!fail) {
        delivered_.insert(delivered_.end(), buffer_.begin(), buffer_.end());
        locations_.insert(locations_.end(), buffer_locations_.begin(),
                          buffer_locations_.end());
      }
    }
    if (fail) {
      failed_flushes_.fetch_add(1);
      ReportError(absl::UnavailableError("flaky: the flush failed"));
      return;
    }
    const std::size_t n = buffer_.size();
    buffer_.clear();
    buffer_locations_.clear();
    RecordsDelivered(n);
  }
  void DoDiscard() override {
    std::lock_guard<std::mutex> lock(mu_);
    discarded_ += buffer_.size();
    buffer_.clear();
    buffer_locations_.clear();
  }

 private:
  std::vector<std::string> buffer_;  // sink thread only
  std::vector<std::string> buffer_locations_;
  std::atomic<bool> failing_{false};
  std::atomic<uint64_t> failed_flushes_{0};
  mutable std::mutex mu_;
  std::function<bool()> fail_if_;
  std::vector<std::string> delivered_;
  std::vector<std::string> locations_;
  uint64_t discarded_ = 0;
};

}  // namespace testing
}  // namespace relog

#endif  // RELOG_TESTS_LOGGER_TEST_UTIL_H_

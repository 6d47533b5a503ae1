// SPDX-License-Identifier: Apache-2.0
//
// tests/logger_test_util.h: sinks for the logger tests.

#ifndef RELOG_TESTS_LOGGER_TEST_UTIL_H_
#define RELOG_TESTS_LOGGER_TEST_UTIL_H_

#include <condition_variable>
#include <mutex>
#include <string>
#include <vector>

#include "logger/sink.h"

namespace relog::testing {

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
  // Blocks until the sink thread is inside a write, waiting at the gate.
  void WaitUntilBlocked() {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return waiting_; });
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  int flushes() const {
    std::lock_guard<std::mutex> lock(mu_);
    return flushes_;
  }

 protected:
  void DoWrite(const Entry& entry) override {
    std::unique_lock<std::mutex> lock(mu_);
    waiting_ = true;
    cv_.notify_all();
    cv_.wait(lock, [&] { return open_; });
    messages_.emplace_back(entry.message());
  }
  void DoFlush() override {
    std::lock_guard<std::mutex> lock(mu_);
    ++flushes_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool open_ = false;
  bool waiting_ = false;
  int flushes_ = 0;
  std::vector<std::string> messages_;
};

}  // namespace relog::testing

#endif  // RELOG_TESTS_LOGGER_TEST_UTIL_H_

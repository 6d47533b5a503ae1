// SPDX-License-Identifier: Apache-2.0
//
// tests/sink_test_util.h: helpers for the sink and formatter tests: entries
// built by hand, a message-only format, and an error handler that records
// what sinks report. The general helpers are in tests/test_util.h.

#ifndef RELOG_TESTS_SINK_TEST_UTIL_H_
#define RELOG_TESTS_SINK_TEST_UTIL_H_

#include <sys/stat.h>

#include <cstdint>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "relog/logger/entry.h"
#include "relog/logger/level.h"
#include "relog/logger/sink.h"
#include "relog/pool/buffer_pool.h"
#include "relog/sinks/formatter.h"
#include "relog/sinks/pattern_formatter.h"
#include "tests/test_util.h"

namespace relog::testing {

// Makes entries for driving formatters and sinks directly. The factory must
// outlive the entries it made.
class EntryFactory {
 public:
  struct Fields {
    // 2026-11-23 15:48:26.123456789 UTC
    int64_t timestamp_ns = 1795448906123456789;
    Level level = Level::kInfo;
    uint32_t thread_id = 12345;
    std::string_view logger = "app";  // must outlive the entry
    SourceLocation location{"src/dir/a.cc", 42, "Serve"};
  };

  std::unique_ptr<Entry> Make(std::string_view message, const Fields& f) {
    auto entry = std::make_unique<Entry>(&pool_);
    entry->Set(f.timestamp_ns, f.level, f.thread_id, f.logger, f.location);
    fmt::format_to(fmt::appender(entry->mutable_message()), "{}", message);
    return entry;
  }
  std::unique_ptr<Entry> Make(std::string_view message) {
    return Make(message, Fields{});
  }
  std::unique_ptr<Entry> MakeAt(std::string_view message,
                                int64_t timestamp_ns) {
    Fields f;
    f.timestamp_ns = timestamp_ns;
    return Make(message, f);
  }

 private:
  BufferPool pool_;
};

inline uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// A text format of the bare message ("%v"), for tests that read files back.
inline std::unique_ptr<Formatter> MessageOnly() {
  auto f = PatternFormatter::Create("%v");
  if (!f.ok()) throw std::runtime_error("MessageOnly: bad pattern");
  return *std::move(f);
}

// Installs an error handler that records every report; restores the default
// handler when destroyed. Thread-safe (sinks report on their own threads).
class CapturedErrors {
 public:
  struct Report {
    std::string sink;
    absl::Status status;
  };

  CapturedErrors() {
    SetSinkErrorHandler(
        [this](std::string_view sink, const absl::Status& status) {
          std::lock_guard<std::mutex> lock(mu_);
          reports_.push_back(Report{std::string(sink), status});
        });
  }
  ~CapturedErrors() { SetSinkErrorHandler(nullptr); }
  CapturedErrors(const CapturedErrors&) = delete;
  CapturedErrors& operator=(const CapturedErrors&) = delete;

  std::vector<Report> reports() const {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Report> reports_;
};

}  // namespace relog::testing

#endif  // RELOG_TESTS_SINK_TEST_UTIL_H_

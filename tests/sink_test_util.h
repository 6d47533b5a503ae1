// SPDX-License-Identifier: Apache-2.0
//
// tests/sink_test_util.h: helpers for the sink and formatter tests: entries
// built by hand, a fresh directory under $TEST_TMPDIR, file reading, and an
// error handler that records what sinks report.

#ifndef RELOG_TESTS_SINK_TEST_UTIL_H_
#define RELOG_TESTS_SINK_TEST_UTIL_H_

#include <dirent.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "fmt/format.h"
#include "logger/entry.h"
#include "logger/level.h"
#include "logger/sink.h"
#include "pool/buffer_pool.h"

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

// A new, empty directory under $TEST_TMPDIR (or /tmp).
inline std::string MakeTestDir(std::string_view name) {
  const char* base = std::getenv("TEST_TMPDIR");
  std::string tmpl =
      absl::StrCat(base != nullptr ? base : "/tmp", "/",
                   absl::string_view(name.data(), name.size()), ".XXXXXX");
  if (::mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

inline std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteFile(const std::string& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
}

inline bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

inline uint64_t FileSize(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// Lines of `text`, each without its '\n'; a last line without one is kept
// with a "<unterminated>" suffix so that a split record cannot pass.
inline std::vector<std::string> SplitLines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.push_back(absl::StrCat(absl::string_view(text.data(), text.size()),
                                   "<unterminated>"));
      break;
    }
    lines.emplace_back(text.substr(0, nl));
    text.remove_prefix(nl + 1);
  }
  return lines;
}

// The names in `dir`, sorted, without "." and "..".
inline std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const struct dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
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

// SPDX-License-Identifier: Apache-2.0
//
// bench/load_targets.h: what the load program measures, one class each:
// relog (RelogTarget), spdlog's async logger (SpdlogTarget) and formatting
// alone (FormatTarget). Each has a per-thread state and an inline Log(), so
// the timed loop of bench/load_workload.cc is one template for all three.
//
// Private to //bench:load_workload. A target is opened, logged to by the
// producer threads (Log() is thread-safe), then drained and finished by the
// thread that opened it.

#ifndef RELOG_BENCH_LOAD_TARGETS_H_
#define RELOG_BENCH_LOAD_TARGETS_H_

#include <sys/stat.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/load_flags.h"
#include "bench/load_result.h"
#include "bench/load_workload.h"
#include "benchmark/benchmark.h"
#include "fmt/format.h"
#include "relog/logger/logger.h"
#include "relog/sinks/spec.h"
#include "spdlog/async.h"
#include "spdlog/sinks/basic_file_sink.h"
#include "spdlog/spdlog.h"

namespace relog::load {

// The standard message's double argument.
inline double Arg2(int i) { return i + 0.25; }

// A path as a sink spec value: the spec's special characters escaped.
inline std::string EscapeSpecValue(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\' || c == ';' || c == ',' || c == '=' || c == ':' || c == ' ' ||
        c == '\t') {
      out += '\\';
    }
    out += c;
  }
  return out;
}

class RelogTarget {
 public:
  struct PerThread {};

  absl::Status Open(const Settings& s) {
    const std::string spec =
        s.sinks.empty() ? "file:" + EscapeSpecValue(s.child_file) : s.sinks;
    absl::StatusOr<SinkSpecInfo> info = InspectSinkSpec(spec);
    if (!info.ok()) return info.status();
    path_ = info->count_path;
    if (!path_.empty()) {
      struct stat st;
      if (::stat(path_.c_str(), &st) == 0) offset_ = st.st_size;
    }
    absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks = ParseSinks(spec);
    if (!sinks.ok()) return sinks.status();
    LoggerOptions options;
    options.name = "load";
    options.overflow = s.drop ? OverflowPolicy::kDrop : OverflowPolicy::kBlock;
    options.deferred_formatting = s.spec.logger == LoggerKind::kRelog;
    logger_ = std::make_unique<Logger>(std::move(options), *std::move(sinks));
    return absl::OkStatus();
  }

  void Log(PerThread&, int i) {
    RELOG_INFO(*logger_, "Logging int: {}, double: {}, string: {}", i, Arg2(i),
               "hello");
  }
  // Returns once every accepted message is written and flushed.
  void Drain() { logger_->Flush(); }
  void Finish() { logger_->Flush(); }

  // One sink here, so this is the calls dropped.
  static uint64_t TotalDropped(const LoggerStats& s) {
    uint64_t n = 0;
    for (const SinkWorkerStats& sink : s.sinks) n += sink.dropped;
    return n;
  }
  void BeginTimed() { before_ = logger_->GetStats(); }
  void EndTimed(RunResult& r) {
    const LoggerStats after = logger_->GetStats();
    r.dropped =
        static_cast<double>(TotalDropped(after) - TotalDropped(before_));
    const double gets =
        static_cast<double>(after.entry_pool.gets - before_.entry_pool.gets);
    const double hits =
        static_cast<double>(after.entry_pool.hits - before_.entry_pool.hits);
    r.pool_hit_rate = gets > 0 ? hits / gets : std::nan("");
  }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }

 private:
  std::unique_ptr<Logger> logger_;
  LoggerStats before_;
  std::string path_;
  uint64_t offset_ = 0;
};

class SpdlogTarget {
 public:
  struct PerThread {};

  absl::Status Open(const Settings& s) {
    path_ = s.child_file;
    struct stat st;
    if (::stat(path_.c_str(), &st) == 0) offset_ = st.st_size;
    spdlog::init_thread_pool(8192, 1);
    pool_ = spdlog::thread_pool();
    try {
      auto sink =
          std::make_shared<spdlog::sinks::basic_file_sink_mt>(path_, false);
      logger_ = std::make_shared<spdlog::async_logger>(
          "load", std::move(sink), pool_,
          s.drop ? spdlog::async_overflow_policy::overrun_oldest
                 : spdlog::async_overflow_policy::block);
    } catch (const spdlog::spdlog_ex& e) {
      return absl::InternalError(e.what());
    }
    // Close to relog's default text format:
    //   2026-11-23 15:48:26.123456 INFO  load [12345] load_main.cc:42] msg
    logger_->set_pattern("%Y-%m-%d %H:%M:%S.%f %-5l %n [%t] %s:%#] %v");
    logger_->set_level(spdlog::level::info);
    return absl::OkStatus();
  }

  void Log(PerThread&, int i) {
    SPDLOG_LOGGER_INFO(logger_, "Logging int: {}, double: {}, string: {}", i,
                       Arg2(i), "hello");
  }
  // flush() only queues a flush message: wait until the worker took
  // everything, then a little for the fflush it is doing.
  void Drain() {
    logger_->flush();
    while (pool_->queue_size() > 0) std::this_thread::yield();
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  // The exact end: queue a flush, then destroy the thread pool, which
  // processes everything queued and joins its worker.
  void Finish() {
    logger_->flush();
    dropped_ = static_cast<double>(pool_->overrun_counter() - overrun_before_);
    pool_.reset();
    spdlog::shutdown();
  }

  void BeginTimed() { overrun_before_ = pool_->overrun_counter(); }
  void EndTimed(RunResult& r) {
    r.dropped = dropped_;
    r.pool_hit_rate = std::nan("");
  }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return offset_; }

 private:
  std::shared_ptr<spdlog::details::thread_pool> pool_;
  std::shared_ptr<spdlog::async_logger> logger_;
  std::string path_;
  uint64_t offset_ = 0;
  std::size_t overrun_before_ = 0;
  double dropped_ = 0;
};

// The format-only baseline: the standard message into a reused buffer.
inline void FormatStandard(fmt::memory_buffer& buffer, int i) {
  buffer.clear();
  fmt::format_to(fmt::appender(buffer),
                 "Logging int: {}, double: {}, string: {}", i, Arg2(i),
                 "hello");
  benchmark::DoNotOptimize(buffer.data());
}

class FormatTarget {
 public:
  struct PerThread {
    fmt::memory_buffer buffer;
  };

  absl::Status Open(const Settings&) { return absl::OkStatus(); }
  void Log(PerThread& t, int i) { FormatStandard(t.buffer, i); }
  void Drain() {}
  void Finish() {}
  void BeginTimed() {}
  void EndTimed(RunResult& r) {
    r.dropped = std::nan("");
    r.pool_hit_rate = std::nan("");
  }
  const std::string& path() const { return path_; }
  uint64_t offset() const { return 0; }

 private:
  std::string path_;
};

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_TARGETS_H_

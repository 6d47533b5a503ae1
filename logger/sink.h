// SPDX-License-Identifier: Apache-2.0
//
// logger/sink.h: relog::Sink, the contract between the sink threads and the
// sink implementations (which live in sinks/).
//
// Each sink is driven by one thread of its logger: for every batch, Write()
// for each entry, then Flush(). The public entry points are non-virtual and
// keep the invariants (level filter, accounting, error reporting);
// implementations override the small protected hooks DoWrite()/DoFlush().
// A hook reports an I/O problem with ReportError() and keeps going; it never
// throws and never takes the process down.
//
// Thread-safety: Write() and Flush() are called from one thread at a time
// (the sink's thread). level(), set_level() and GetStats() are thread-safe.
// A sink belongs to one logger.

#ifndef RELOG_LOGGER_SINK_H_
#define RELOG_LOGGER_SINK_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "logger/entry.h"
#include "logger/level.h"

namespace relog {

struct SinkStats {
  uint64_t written = 0;   // entries written (drop notices not included)
  uint64_t filtered = 0;  // entries below the sink's level
  uint64_t errors = 0;    // I/O errors reported
};

class Sink {
 public:
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Sink::Write(): sink thread. Writes `entry` if its level passes the
  // sink's own level. Must not keep a reference to `entry` after returning.
  void Write(const Entry& entry) {
    if (entry.level() < level()) {
      filtered_.store(filtered_.load(std::memory_order_relaxed) + 1,
                      std::memory_order_relaxed);
      return;
    }
    DoWrite(entry);
    written_.store(written_.load(std::memory_order_relaxed) + 1,
                   std::memory_order_relaxed);
  }

  // Sink::WriteNotice(): sink thread. Writes a record produced by relog
  // itself (the "N messages dropped" notice); not counted as written and
  // not filtered by level.
  void WriteNotice(const Entry& entry) { DoWrite(entry); }

  // Sink::Flush(): sink thread. Makes everything written so far durable as
  // far as this sink goes (one write system call for a file sink's batch).
  void Flush() { DoFlush(); }

  // The sink's own threshold, on top of its logger's.
  Level level() const { return level_.load(std::memory_order_relaxed); }
  void set_level(Level level) {
    level_.store(level, std::memory_order_relaxed);
  }

  // A short name for statistics and error messages ("file:/var/log/a.log").
  const std::string& name() const { return name_; }

  SinkStats GetStats() const {
    return SinkStats{written_.load(std::memory_order_relaxed),
                     filtered_.load(std::memory_order_relaxed),
                     errors_.load(std::memory_order_relaxed)};
  }

 protected:
  explicit Sink(std::string name) : name_(std::move(name)) {}

  virtual void DoWrite(const Entry& entry) = 0;
  virtual void DoFlush() = 0;

  // Sink::ReportError(): sink thread. Counts the error and passes it to the
  // process's error handler (see SetSinkErrorHandler()).
  void ReportError(const absl::Status& status);

 private:
  const std::string name_;
  std::atomic<Level> level_{Level::kTrace};
  // The counters are written by the sink thread for every entry while
  // callers read `level_` for every call: keep them on another cache line.
  [[maybe_unused]] char pad_[64];
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> filtered_{0};
  std::atomic<uint64_t> errors_{0};
};

// Called for every I/O error a sink reports, on that sink's thread.
using SinkErrorHandler =
    std::function<void(std::string_view sink_name, const absl::Status& error)>;

// SetSinkErrorHandler(): replaces the process-wide handler (nullptr restores
// the default: one line on stderr, at most one per second per process, with
// a count of the lines suppressed since). Thread-safe.
void SetSinkErrorHandler(SinkErrorHandler handler);

}  // namespace relog

#endif  // RELOG_LOGGER_SINK_H_

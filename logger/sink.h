// SPDX-License-Identifier: Apache-2.0
//
// logger/sink.h: relog::Sink, the contract between the sink threads and the
// sink implementations (which live in sinks/).
//
// Each sink is driven by one thread of its logger: for every batch, Write()
// for each entry, then Flush(). The public entry points are non-virtual and
// keep the accounting; implementations override the small protected hooks
// DoWrite()/DoFlush() (and DoDiscard() when they hold records between
// flushes).
//
// Accounting. Every record a sink is given is, in the end, exactly one of:
//  - delivered (`written`): on disk, or handed to the socket. A hook says so
//    with RecordsDelivered() once the bytes are out, never before;
//  - lost: given up after I/O errors, by the sink itself (RecordsLost(), for
//    a record that can never be delivered) or by its logger (Discard(), once
//    retrying has taken too long);
//  - still pending: Flush() returns false while any is, and the next Flush()
//    tries them again, oldest first.
// So once everything is flushed, records given == written + lost.
//
// A hook reports an I/O problem with ReportError() and keeps going; it never
// throws and never takes the process down.
//
// The level is checked by the logger before an entry is queued for the sink
// (see Logger); Write() writes whatever it is given.
//
// Thread-safety: Write(), Flush(), Discard() and WriteNotice() are called
// from one thread at a time (the sink's thread). level(), set_level(),
// overflow(), retry_for() and GetStats() are thread-safe; the setters of the
// overflow policy and the retry time take effect for a logger created after
// them. A sink may be given to several loggers: their sink threads take
// turns, a batch at a time (a mutex of the sink's, taken once a batch), so
// each line is whole and each logger's lines keep their order; GetStats()
// then counts for all of them, and each logger's stats for the sink show
// those totals.

#ifndef RELOG_LOGGER_SINK_H_
#define RELOG_LOGGER_SINK_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "relog/logger/entry.h"
#include "relog/logger/level.h"

namespace relog {

// What happens when a sink's queue is full.
enum class OverflowPolicy {
  // The caller waits for room: nothing is lost. The default.
  kBlock,
  // The caller never waits: the entry is dropped for that sink and counted,
  // and the sink writes an "N messages dropped" notice when room returns.
  kDrop,
};

struct SinkStats {
  uint64_t written = 0;  // records delivered (notices not included)
  uint64_t lost = 0;     // records given up after I/O errors
  uint64_t errors = 0;   // I/O errors reported
  uint64_t syncs = 0;    // batches made durable for sync_level() (see there)
};

namespace logger_internal {
class SinkWorker;
}  // namespace logger_internal

class Sink {
 public:
  virtual ~Sink() = default;
  Sink(const Sink&) = delete;
  Sink& operator=(const Sink&) = delete;

  // Sink::Write(): sink thread. Writes (or buffers) `entry` as one record,
  // which is then pending until delivered or lost. Must not keep a
  // reference to `entry` after returning.
  void Write(const Entry& entry) {
    ++pending_;
    if (entry.level() >= sync_level_) sync_due_ = true;
    DoWrite(entry);
  }

  // Sink::Flush(): sink thread. Delivers the pending records (one write
  // system call for a file sink's batch). True when none is left pending;
  // false after an I/O error, with the undelivered records kept for the
  // next Flush().
  bool Flush() {
    if (pending_ > 0) DoFlush();
    return pending_ == 0;
  }

  // Sink::Discard(): sink thread. Gives up the records still pending:
  // counted as lost, their bytes dropped.
  void Discard() {
    if (pending_ == 0) return;
    DoDiscard();
    RecordsLost(pending_);
  }

  // Sink::WriteNotice(): sink thread, when nothing is pending. Writes and
  // flushes a record produced by relog itself (a "N messages dropped"
  // notice); not counted as written or lost. False if it could not be
  // delivered (it is then dropped).
  bool WriteNotice(const Entry& entry);

  // Records given to Write() and neither delivered nor lost yet.
  std::size_t pending() const { return pending_; }

  // The sink's own threshold, on top of its logger's. Checked when an entry
  // is queued for the sink, so a change applies to calls made after it.
  Level level() const { return level_.load(std::memory_order_relaxed); }
  void set_level(Level level) {
    level_.store(level, std::memory_order_relaxed);
  }

  // The overflow policy of this sink's queue; unset, the logger's
  // (LoggerOptions::overflow). A network sink can drop while a file beside
  // it blocks.
  std::optional<OverflowPolicy> overflow() const { return overflow_; }
  void set_overflow(OverflowPolicy policy) { overflow_ = policy; }

  // How long its logger keeps retrying a flush that failed (with backoff,
  // holding the records) before it gives them up as lost. While it retries,
  // new entries wait in the sink's queue under its overflow policy. Zero:
  // give up at once.
  std::chrono::milliseconds retry_for() const { return retry_for_; }
  void set_retry_for(std::chrono::milliseconds d) { retry_for_ = d; }

  // The level from which a batch is made durable: a file sink (FileSink,
  // RotatingFileSink, DailyFileSink) whose batch holds an entry at or above
  // it calls fdatasync(2) on the file once the batch is written, before
  // the batch counts as written and before the sink goes on (`fsync=LEVEL`
  // in a spec). Level::kOff (the default): never; the other sinks ignore
  // it. Set before the sink is given to a logger.
  Level sync_level() const { return sync_level_; }
  void set_sync_level(Level level) { sync_level_ = level; }

  // A short name for statistics and error messages ("file:/var/log/a.log").
  const std::string& name() const { return name_; }

  SinkStats GetStats() const {
    return SinkStats{written_.load(std::memory_order_relaxed),
                     lost_.load(std::memory_order_relaxed),
                     errors_.load(std::memory_order_relaxed),
                     syncs_.load(std::memory_order_relaxed)};
  }

 protected:
  explicit Sink(std::string name) : name_(std::move(name)) {}

  // Formats (or hands on) one record. A sink that delivers at once calls
  // RecordsDelivered(1) here; one that buffers does so in DoFlush().
  virtual void DoWrite(const Entry& entry) = 0;
  // Delivers what is pending, oldest first, calling RecordsDelivered() for
  // what got out (and RecordsLost() for a record that never can); on an
  // error it reports it and keeps the rest for the next call.
  virtual void DoFlush() = 0;
  // Drops whatever bytes of pending records the sink still holds.
  virtual void DoDiscard() {}
  // In a fork()ed child: the pending records belong to the parent (which
  // writes them): drop them; and undo what must not be shared with the
  // parent (a stream socket, say).
  virtual void DoAfterFork() { DoDiscard(); }

  // Sink::RecordsDelivered() / RecordsLost(): from the hooks. The oldest
  // `n` pending records were delivered / are given up.
  void RecordsDelivered(std::size_t n) { Settle(n, written_); }
  void RecordsLost(std::size_t n) { Settle(n, lost_); }

  // Sink::ReportError(): sink thread. Counts the error and passes it to the
  // process's error handler (see SetSinkErrorHandler()).
  void ReportError(const absl::Status& status);

  // A record at or above sync_level() was written since the last sync. A
  // file sink syncs when this is true and its batch is all written, then
  // calls SyncDone(); a sink that closes a file mid-batch (rotation) syncs
  // it first if this is true, and leaves it set for the rest of the batch.
  bool sync_due() const { return sync_due_; }
  // After the end-of-batch sync: clears sync_due() and counts the batch
  // (`syncs` in the stats).
  void SyncDone() {
    sync_due_ = false;
    syncs_.store(syncs_.load(std::memory_order_relaxed) + 1,
                 std::memory_order_relaxed);
  }

 private:
  friend class logger_internal::SinkWorker;

  void Settle(std::size_t n, std::atomic<uint64_t>& counter) {
    n = n < pending_ ? n : pending_;
    pending_ -= n;
    if (counting_) {
      counter.store(counter.load(std::memory_order_relaxed) + n,
                    std::memory_order_relaxed);
    }
  }

  // In a fork()ed child, by its logger: the counters start again from zero
  // and the parent's pending records are dropped.
  void ResetAfterFork() {
    DoAfterFork();
    pending_ = 0;
    written_.store(0, std::memory_order_relaxed);
    lost_.store(0, std::memory_order_relaxed);
    errors_.store(0, std::memory_order_relaxed);
    syncs_.store(0, std::memory_order_relaxed);
    sync_due_ = false;
    // A sink thread of another logger sharing this sink may have held it
    // at the fork (a pause that timed out); that thread is not in the
    // child. The mutex is not destroyed: its owner never returns here.
    new (&use_mu_) std::mutex();
  }

  const std::string name_;
  std::atomic<Level> level_{Level::kTrace};
  std::optional<OverflowPolicy> overflow_;
  std::chrono::milliseconds retry_for_{1000};
  Level sync_level_ = Level::kOff;
  // The counters are written by the sink thread for every batch while
  // callers read `level_` for every call: keep them on another cache line.
  [[maybe_unused]] char pad_[64];
  std::size_t pending_ = 0;  // sink thread only
  // Held by a sink thread while it writes a batch and delivers it: the
  // sink threads of the loggers that share this sink take turns.
  std::mutex use_mu_;
  bool counting_ = true;     // false while a notice is written
  bool sync_due_ = false;    // sink thread only
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> syncs_{0};
  std::atomic<uint64_t> lost_{0};
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

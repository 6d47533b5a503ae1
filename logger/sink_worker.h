// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/sink_worker.h: the thread that drives one sink of a logger.
//
// The worker pops entries from its queue in batches, writes each to the
// sink, flushes once per batch, then releases the batch's entries (the last
// holder returns an entry to the pool) and publishes how far it has flushed,
// which is what Logger::Flush() waits for.
//
// A flush that fails is retried with backoff (1 ms doubling to 100 ms) for
// the sink's retry_for(), while new entries wait in the queue under the
// sink's overflow policy; then the records are given up (counted lost) and
// the sink is in an outage: each later batch is tried once (a probe) and
// given up at once if that fails, so a long outage never holds the callers
// up for longer than a batch. The first batch that gets through ends the
// outage, preceded by a notice of how many records were lost.
//
// After a short batch (a trickle: fewer than kGatherBelow entries) the
// worker sleeps 20 us so that the next batch gathers, unless a Flush() or a
// stop is waiting. When the queue runs dry it polls briefly with
// sched_yield (about 5 us), then sleeps in steps of 60 us for about 20 ms,
// then parks on a futex (std::atomic::wait). A producer wakes it only when
// it is parked, so in steady state a log call makes no system call; the
// flag check after a push is a plain load.
//
// Stopping: Stop() lets the thread drain the queue and joins it; from then
// on whoever holds the drain lock consumes the queue (DrainIfStopped()), so
// a caller whose push raced with the stop still gets its entry written.
//
// Thread-safety: TryPush(), PushBlocking(), WaitFlushed(), GetStats() and
// DrainIfStopped() from any thread; Stop(), the fork and crash hooks from
// the logger's lifecycle code (see Logger); everything else runs on the
// worker's own thread.

#ifndef RELOG_LOGGER_SINK_WORKER_H_
#define RELOG_LOGGER_SINK_WORKER_H_

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "relog/logger/entry.h"
#include "relog/logger/inbox.h"
#include "relog/logger/logger.h"
#include "relog/logger/mpsc_queue.h"
#include "relog/logger/registry.h"
#include "relog/logger/sink.h"

namespace relog::logger_internal {

class SinkWorker final : public Inbox {
 public:
  // Most entries written between two flushes.
  static constexpr std::size_t kMaxBatch = 1024;

  // Starts the thread. `overflow` is the policy for this sink's queue.
  SinkWorker(LoggerCore* logger, std::shared_ptr<Sink> sink,
             std::size_t queue_capacity, OverflowPolicy overflow);
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;
  ~SinkWorker();  // stops and joins (after draining)

  OverflowPolicy overflow() const { return overflow_; }

  // SinkWorker::PushBlocking(): any thread; waits for room (kBlock). Once
  // the worker has stopped, a waiting caller drains the queue itself to
  // make room. For a push that never waits, see Inbox::TryPush(); a caller
  // whose TryPush() failed under kDrop counts the drop with CountDrop().
  void PushBlocking(Entry* entry);
  // The same for the `n` workers at `workers` (which it reorders): the
  // entry goes to each as soon as that one has room.
  static void PushBlocking(SinkWorker** workers, std::size_t n, Entry* entry);
  void CountDrop() {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    NoteBacklog(queue_.capacity());
  }

  // SinkWorker::WaitFlushed(): any thread. Returns once everything pushed
  // before the call is written, flushed and released (or given up).
  void WaitFlushed();

  // SinkWorker::Stop(): drains, flushes and joins. Idempotent. Called on
  // the worker's own thread (exit() from a sink, say), it only marks the
  // worker stopped.
  void Stop();

  // SinkWorker::DrainIfStopped(): any thread. If the worker has stopped,
  // writes what is in the queue (on the calling thread).
  void DrainIfStopped();

  // fork() support, called by the logger's fork handlers: Pause() asks the
  // thread to stop between batches, holding no lock, and waits for it
  // until `deadline` (false if it did not get there); Resume() lets it go
  // on (parent). In the child, ResetAfterFork() forgets the thread (it
  // does not exist there), returns the parent's queued entries to the pool
  // unwritten (the parent writes them), empties the sink's pending records,
  // and leaves the worker stopped: callers then write their own entries
  // (DrainIfStopped()).
  bool Pause(std::chrono::steady_clock::time_point deadline);
  void Resume();
  void ResetAfterFork();

  // SinkWorker::DrainForCrash(): from a crash handler (any thread but the
  // worker's). Wakes the worker and waits, without taking a lock, until it
  // has written everything queued so far or `deadline_ns` (CLOCK_MONOTONIC)
  // passes; false on the deadline or if the worker cannot run.
  bool DrainForCrash(int64_t deadline_ns);
  // True on the worker's own thread.
  bool IsWorkerThread() const;

  Sink& sink() { return *sink_; }

  SinkWorkerStats GetStats() const;

 private:
  // The thread: batches while there is a backlog, sleeps a step after a
  // trickle so the next batch gathers, idles (poll, sleep, park) when empty.
  void Run();
  // Pops and writes up to one batch; returns how many entries it handled.
  std::size_t ProcessBatch();
  // Flushes the sink's pending records, retrying or giving up as described
  // at the top of this file.
  void Deliver();
  void WriteNoticesIfAny();
  // Writes "<count> messages <what> (sink NAME)"; when it is delivered,
  // sets `reported` to `now_total`.
  void WriteNotice(uint64_t count, std::string_view what,
                   const SourceLocation& location, uint64_t& reported,
                   uint64_t now_total);
  // Raises the high-water mark to `backlog` (at most the capacity). Any
  // thread.
  void NoteBacklog(uint64_t backlog) {
    backlog = std::min<uint64_t>(backlog, queue_.capacity());
    uint64_t seen = high_water_.load(std::memory_order_relaxed);
    while (backlog > seen && !high_water_.compare_exchange_weak(
                                 seen, backlog, std::memory_order_relaxed)) {
    }
  }
  // Exact (reads the callers' tail): the check before parking.
  bool HasWork() const;
  // Cheap, for polling: looks only at the next cell, which the worker reads
  // anyway; a push claimed but not yet published is seen on a later poll.
  bool MayHaveWork() const;
  void Idle();
  // Stops between batches while a fork() is being prepared.
  void PauseIfAsked();
  void DrainLocked() ABSL_EXCLUSIVE_LOCKS_REQUIRED(drain_mu_);
  void PublishFlushed();
  // Starts or stops this sink lagging (LoggerCore::ShouldDefer()) when a batch
  // finds `backlog` entries waiting; the consumer's. SetLagging(false) also
  // from Stop(), after the join.
  void UpdateLagging(uint64_t backlog) {
    if (!lagging_ ? backlog >= lag_on_ : backlog < lag_off_) {
      SetLagging(!lagging_);
    }
  }
  void SetLagging(bool lagging);

  LoggerCore* const logger_;
  const std::shared_ptr<Sink> sink_;
  const OverflowPolicy overflow_;
  std::vector<Entry*> batch_;  // the consumer's
  // Backlogs at which this sink starts lagging (half its queue) and stops
  // (an eighth of a full batch, or of half a small queue).
  const std::size_t lag_on_;
  const std::size_t lag_off_;
  bool lagging_ = false;  // the consumer's
  // The consumer's: the sink gave records up and has not delivered since;
  // no flush is tried before next_probe_.
  bool in_outage_ = false;
  std::chrono::steady_clock::time_point next_probe_;

  // Written by callers only rarely: kept apart from what the worker writes
  // for every batch, so a caller does not pull a line the worker just
  // dirtied.
  alignas(64) std::atomic<bool> stop_{false};
  // The thread has been joined: the queue's consumer is whoever holds
  // drain_mu_.
  std::atomic<bool> joined_{false};
  // fork(): 1 while a pause is asked for / while the thread is paused.
  std::atomic<uint32_t> pause_requested_{0};
  std::atomic<uint32_t> paused_{0};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> blocked_{0};
  std::atomic<int> flush_waiters_{0};

  // Written by the worker. Flush waiting: the worker publishes the queue
  // position it has flushed through; waiters sleep on the condition
  // variable.
  alignas(64) std::atomic<uint64_t> flushed_{0};
  uint64_t dropped_reported_ = 0;  // the consumer's
  // The consumer's: records lost in its batches (a shared sink's counter
  // holds other loggers' too).
  uint64_t lost_ = 0;
  uint64_t lost_reported_ = 0;     // the consumer's
  uint64_t batches_ = 0;           // the consumer's
  std::atomic<uint64_t> notices_{0};
  std::atomic<uint64_t> high_water_{0};
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;
  std::mutex drain_mu_;

  std::unique_ptr<std::thread> thread_;
  std::atomic<std::thread::native_handle_type> thread_handle_{};
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_SINK_WORKER_H_

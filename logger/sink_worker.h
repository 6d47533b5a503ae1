// SPDX-License-Identifier: Apache-2.0
//
// logger/sink_worker.h: the thread that drives one sink of a logger.
//
// The worker pops entries from its queue in batches, writes each to the
// sink, flushes once per batch, then releases the batch's entries (the last
// holder returns an entry to the pool) and publishes how far it has flushed,
// which is what Logger::Flush() waits for.
//
// When the queue runs dry it polls briefly with sched_yield (about 5 us),
// then sleeps in short steps (about 20 us, for about 20 ms), then parks on a
// futex (std::atomic::wait). A producer wakes it only when it is parked, so
// in steady state a log call makes no system call; the flag check after a
// push is a plain load.
//
// Thread-safety: Push(), Wake(), WaitFlushed(), GetStats() from any thread;
// everything else runs on the worker's own thread.

#ifndef RELOG_LOGGER_SINK_WORKER_H_
#define RELOG_LOGGER_SINK_WORKER_H_

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "logger/entry.h"
#include "logger/inbox.h"
#include "logger/logger.h"
#include "logger/mpsc_queue.h"
#include "logger/sink.h"

namespace relog::logger_internal {

class SinkWorker final : public Inbox {
 public:
  // Most entries written between two flushes.
  static constexpr std::size_t kMaxBatch = 1024;

  SinkWorker(Logger* logger, std::shared_ptr<Sink> sink,
             std::size_t queue_capacity);
  SinkWorker(const SinkWorker&) = delete;
  SinkWorker& operator=(const SinkWorker&) = delete;
  ~SinkWorker();  // stops and joins (after draining)

  // SinkWorker::PushBlocking(): any thread; waits for room (kBlock). For a
  // push that never waits, see Inbox::TryPush(); a caller whose TryPush()
  // failed under kDrop counts the drop with CountDrop().
  void PushBlocking(Entry* entry);
  void CountDrop() {
    dropped_.fetch_add(1, std::memory_order_relaxed);
    NoteBacklog(queue_.capacity());
  }

  // SinkWorker::WaitFlushed(): any thread. Returns once everything pushed
  // before the call is written, flushed and released.
  void WaitFlushed();

  // SinkWorker::Stop(): drains, flushes and joins. Idempotent.
  void Stop();

  Sink& sink() { return *sink_; }

  SinkWorkerStats GetStats() const;

 private:
  // The thread: batches while there is a backlog, sleeps a step after a
  // trickle so the next batch gathers, idles (poll, sleep, park) when empty.
  void Run();
  // Pops and writes up to one batch; returns how many entries it handled.
  std::size_t ProcessBatch();
  void WriteDropNoticeIfAny();
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

  Logger* const logger_;
  const std::shared_ptr<Sink> sink_;
  std::vector<Entry*> batch_;  // worker thread only

  // Written by callers only rarely: kept apart from what the worker writes
  // for every batch, so a caller does not pull a line the worker just
  // dirtied.
  alignas(64) std::atomic<bool> stop_{false};
  std::atomic<uint64_t> dropped_{0};
  std::atomic<uint64_t> blocked_{0};
  std::atomic<int> flush_waiters_{0};

  // Written by the worker. Flush waiting: the worker publishes the queue
  // position it has flushed through; waiters sleep on the condition
  // variable.
  alignas(64) std::atomic<uint64_t> flushed_{0};
  uint64_t dropped_reported_ = 0;  // worker thread only
  uint64_t batches_ = 0;           // worker thread only
  std::atomic<uint64_t> notices_{0};
  std::atomic<uint64_t> high_water_{0};
  std::mutex flush_mu_;
  std::condition_variable flush_cv_;

  std::thread thread_;
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_SINK_WORKER_H_

// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/sink_worker.h"

#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <new>

#include "fmt/format.h"
#include "relog/logger/timestamp.h"
#include "relog/pool/prefetch.h"

namespace relog::logger_internal {
namespace {

// The idle schedule (its idle cost is measured in the README's
// "Performance"): poll briefly, then short sleeps for a while, then park.
constexpr auto kPollFor = std::chrono::microseconds(5);
constexpr auto kIdleSleepStep = std::chrono::microseconds(60);
constexpr auto kSleepFor = std::chrono::milliseconds(20);
// The pause after a trickle (see kGatherBelow).
constexpr auto kGatherSleep = std::chrono::microseconds(20);

// Below this many entries a batch is a trickle: the worker is keeping pace
// with the callers entry by entry, on their heels, taking each cell's line
// and each entry's first line from the caller's core moments after it wrote
// them, and paying a flush and a release per handful of entries. So after a
// trickle the worker sleeps kGatherSleep and lets a batch gather; a backlog
// goes on at once.
constexpr std::size_t kGatherBelow = 64;

// The kernel lets a sleep overrun by the thread's timer slack, 50 us by
// default, which would stretch each pause above by that much; the batch
// gathered meanwhile is written in one run, and a caller sharing this core
// waits all of it out. So this thread asks for 1 us.
constexpr unsigned long kTimerSlackNs = 1000;

// Retrying a failed flush: the first wait, and the most any wait grows to.
constexpr auto kFirstBackoff = std::chrono::milliseconds(1);
constexpr auto kMaxBackoff = std::chrono::milliseconds(100);

void SleepFor(std::chrono::nanoseconds d) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(d.count() / 1000000000);
  ts.tv_nsec = static_cast<long>(d.count() % 1000000000);
  nanosleep(&ts, nullptr);
}

inline void CpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

}  // namespace

int64_t MonotonicNanos() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

SinkWorker::SinkWorker(LoggerCore* logger, std::shared_ptr<Sink> sink,
                       std::size_t queue_capacity, OverflowPolicy overflow)
    : Inbox(queue_capacity),
      logger_(logger),
      sink_(std::move(sink)),
      overflow_(overflow),
      lag_on_(std::max<std::size_t>(2, queue_.capacity() / 2)),
      lag_off_(std::max<std::size_t>(
          1, std::min<std::size_t>(kMaxBatch, lag_on_) / 8)) {
  batch_.reserve(kMaxBatch);
  thread_ = std::make_unique<std::thread>([this] { Run(); });
  thread_handle_.store(thread_->native_handle(), std::memory_order_release);
}

SinkWorker::~SinkWorker() { Stop(); }

bool SinkWorker::IsWorkerThread() const {
  return thread_handle_.load(std::memory_order_acquire) == pthread_self();
}

void SinkWorker::PushBlocking(Entry* entry) {
  SinkWorker* self = this;
  PushBlocking(&self, 1, entry);
}

void SinkWorker::PushBlocking(SinkWorker** workers, std::size_t n,
                              Entry* entry) {
  int attempts = 0;
  for (;;) {
    // Every queue with room gets the entry before we wait on the others,
    // so one stuck sink does not keep it from the rest.
    std::size_t left = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!workers[i]->queue_.TryPush(entry))
        workers[left++] = workers[i];
      else
        workers[i]->WakeIfParked();
    }
    n = left;
    if (n == 0) return;
    for (std::size_t i = 0; i < n; ++i) {
      SinkWorker& w = *workers[i];
      // Counted once per push that had to wait: a queue too small for the
      // bursts it gets shows up here before it shows up as latency.
      if (attempts == 0) {
        w.blocked_.fetch_add(1, std::memory_order_relaxed);
        w.NoteBacklog(w.queue_.capacity());
      }
      // Full: the worker is behind, or gone. Make sure it is awake (or
      // make room ourselves).
      if (w.joined_.load(std::memory_order_seq_cst)) {
        w.DrainIfStopped();
      } else {
        w.WakeIfParked();
      }
    }
    // Back off: spin, then yield, then sleep in short steps (a slow sink,
    // a network).
    ++attempts;
    if (attempts < 64) {
      CpuRelax();
    } else if (attempts < 1024) {
      sched_yield();
    } else {
      SleepFor(std::chrono::microseconds(50));
    }
  }
}

void Inbox::WakeSlow() {
  if (parked_.exchange(0, std::memory_order_seq_cst) != 0) {
    parked_.notify_one();
  }
}

bool SinkWorker::HasWork() const {
  return !queue_.Empty() || stop_.load(std::memory_order_acquire) ||
         pause_requested_.load(std::memory_order_acquire) != 0 ||
         dropped_.load(std::memory_order_relaxed) != dropped_reported_;
}

bool SinkWorker::MayHaveWork() const {
  return queue_.NextPublished() || stop_.load(std::memory_order_relaxed) ||
         pause_requested_.load(std::memory_order_relaxed) != 0 ||
         dropped_.load(std::memory_order_relaxed) != dropped_reported_;
}

void SinkWorker::Run() {
  // Best effort: a thread that cannot set it keeps the default.
  prctl(PR_SET_TIMERSLACK, kTimerSlackNs, 0, 0, 0);
  for (;;) {
    PauseIfAsked();
    // What is still queued is written by Stop(), after the join: callers
    // that keep pushing must not keep this thread going.
    if (stop_.load(std::memory_order_acquire)) return;
    const std::size_t handled = ProcessBatch();
    if (handled >= kGatherBelow) continue;
    if (handled > 0) {
      // A Flush() or Shutdown() waiting is not kept waiting for a batch.
      if (flush_waiters_.load(std::memory_order_relaxed) == 0 &&
          !stop_.load(std::memory_order_relaxed)) {
        SleepFor(kGatherSleep);
      }
      continue;
    }
    Idle();
  }
}

void SinkWorker::PauseIfAsked() {
  if (pause_requested_.load(std::memory_order_acquire) == 0) [[likely]] {
    return;
  }
  // Between batches: this thread holds no lock and no entry.
  paused_.store(1, std::memory_order_release);
  while (pause_requested_.load(std::memory_order_acquire) != 0) {
    pause_requested_.wait(1, std::memory_order_acquire);
  }
  paused_.store(0, std::memory_order_relaxed);
}

void SinkWorker::Idle() {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < kPollFor) {
    if (MayHaveWork()) return;
    sched_yield();
  }
  while (std::chrono::steady_clock::now() - start < kSleepFor) {
    if (MayHaveWork()) return;
    SleepFor(kIdleSleepStep);
  }
  // Idle time is also when the pools age their idle objects.
  logger_->entries_.MaybeTrim();
  logger_->buffers_.MaybeTrim();
  // seq_cst store, then re-check: pairs with WakeIfParked() (Dekker).
  parked_.store(1, std::memory_order_seq_cst);
  if (HasWork()) {
    parked_.store(0, std::memory_order_relaxed);
    return;
  }
  while (parked_.load(std::memory_order_seq_cst) != 0) {
    parked_.wait(1, std::memory_order_seq_cst);
  }
}

std::size_t SinkWorker::ProcessBatch() {
  // Take the batch's pointers first, then write: the entries were written
  // on a caller's core, so fetch each a few ahead of its use.
  batch_.clear();
  while (batch_.size() < kMaxBatch) {
    Entry* entry = queue_.TryPop();
    if (entry == nullptr) break;
    batch_.push_back(entry);
  }
  // The backlog is sampled: reading the callers' tail takes the line every
  // push writes, which costs a caller a transfer when batches are small.
  // So read it when the batch shows a backlog (it was full) and on one
  // batch in 64; otherwise the batch (all that was ready) stands for it. A
  // caller that finds the queue full records that in the high-water mark.
  uint64_t backlog = batch_.size();
  if (batch_.size() == kMaxBatch || (++batches_ & 63) == 0) {
    backlog = queue_.tail() - queue_.head() + batch_.size();
    NoteBacklog(backlog);
  }
  UpdateLagging(backlog);
  const bool noticed =
      dropped_.load(std::memory_order_relaxed) != dropped_reported_;
  if (batch_.empty() && !noticed) return 0;
  constexpr std::size_t kPrefetchAhead = 8;
  // With intent to write: the entry's first line is written again when it
  // is reset, and fetching it once for ownership saves a second trip.
  for (std::size_t i = 0; i < batch_.size() && i < kPrefetchAhead; ++i) {
    PrefetchForWrite(batch_[i]);
  }
  {
    // A sink given to several loggers is driven by each one's thread in
    // turn, a whole batch at a time; after Deliver() it holds no record.
    std::lock_guard<std::mutex> lock(sink_->use_mu_);
    // What this batch loses (given up here, or by the sink itself, as a
    // datagram too long), told apart from another logger's batches.
    const uint64_t lost_before = sink_->lost_.load(std::memory_order_relaxed);
    for (std::size_t i = 0; i < batch_.size(); ++i) {
      if (i + kPrefetchAhead < batch_.size()) {
        PrefetchForWrite(batch_[i + kPrefetchAhead]);
      }
      sink_->Write(*batch_[i]);
    }
    Deliver();
    lost_ += sink_->lost_.load(std::memory_order_relaxed) - lost_before;
    WriteNoticesIfAny();
  }
  for (Entry* entry : batch_) logger_->Release(entry);
  PublishFlushed();
  return batch_.size() + (noticed ? 1 : 0);
}

void SinkWorker::Deliver() {
  if (sink_->pending() == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (in_outage_ && now < next_probe_) {
    // Between probes an outage costs the callers nothing: the batch is
    // given up without trying.
    sink_->Discard();
    return;
  }
  if (sink_->Flush()) {
    in_outage_ = false;
    return;
  }
  if (in_outage_) {  // the probe failed: no waiting
    sink_->Discard();
    next_probe_ = now + kMaxBackoff;
    return;
  }
  // Retry with backoff, holding the records, for the sink's retry time.
  const auto deadline = now + sink_->retry_for();
  std::chrono::nanoseconds backoff = kFirstBackoff;
  for (auto t = std::chrono::steady_clock::now(); t < deadline;
       t = std::chrono::steady_clock::now()) {
    SleepFor(std::min<std::chrono::nanoseconds>(backoff, deadline - t));
    backoff = std::min<std::chrono::nanoseconds>(backoff * 2, kMaxBackoff);
    if (sink_->Flush()) return;
  }
  sink_->Discard();
  in_outage_ = true;
  next_probe_ = std::chrono::steady_clock::now() + kMaxBackoff;
}

void SinkWorker::WriteNotice(uint64_t count, std::string_view what,
                             const SourceLocation& location, uint64_t& reported,
                             uint64_t now_total) {
  Entry notice(&logger_->buffers_);
  notice.Set(ReadTimestampNanos(), Level::kWarn, CurrentThreadId(),
             logger_->name(), location);
  fmt::format_to(fmt::appender(notice.mutable_message()),
                 "{} message{} {} (sink {})", count, count == 1 ? "" : "s",
                 what, sink_->name());
  if (sink_->WriteNotice(notice)) {
    notices_.fetch_add(1, std::memory_order_relaxed);
    reported = now_total;
  }
}

void SinkWorker::WriteNoticesIfAny() {
  // A lost notice waits for the outage to end (it could not be delivered
  // before); it says how many were given up since the last one.
  // This worker's own: a sink shared with another logger counts that one's
  // losses too, which its own worker reports.
  const uint64_t lost = lost_;
  if (lost != lost_reported_ && !in_outage_) {
    WriteNotice(lost - lost_reported_,
                "lost: the sink could not deliver them and gave them up",
                RELOG_SOURCE_LOCATION, lost_reported_, lost);
  }
  const uint64_t dropped = dropped_.load(std::memory_order_relaxed);
  if (dropped != dropped_reported_) {
    WriteNotice(dropped - dropped_reported_,
                "dropped: the sink's queue was full", RELOG_SOURCE_LOCATION,
                dropped_reported_, dropped);
  }
}

void SinkWorker::PublishFlushed() {
  // seq_cst store, then the waiter count: pairs with WaitFlushed().
  flushed_.store(queue_.head(), std::memory_order_seq_cst);
  if (flush_waiters_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(flush_mu_);
    flush_cv_.notify_all();
  }
}

void SinkWorker::WaitFlushed() {
  const uint64_t target = queue_.tail();
  if (flushed_.load(std::memory_order_seq_cst) >= target) return;
  flush_waiters_.fetch_add(1, std::memory_order_seq_cst);
  WakeIfParked();
  {
    std::unique_lock<std::mutex> lock(flush_mu_);
    flush_cv_.wait(lock, [&] {
      return flushed_.load(std::memory_order_seq_cst) >= target;
    });
  }
  flush_waiters_.fetch_sub(1, std::memory_order_seq_cst);
}

void SinkWorker::Stop() {
  if (joined_.load(std::memory_order_acquire) || thread_ == nullptr) return;
  stop_.store(true, std::memory_order_release);
  WakeSlow();
  if (IsWorkerThread()) {
    // exit() called from this sink's own thread: it cannot wait for
    // itself. The process is ending; leave the thread be.
    thread_->detach();
    thread_.reset();
    return;
  }
  thread_->join();
  thread_.reset();
  thread_handle_.store({}, std::memory_order_release);
  std::lock_guard<std::mutex> lock(drain_mu_);
  // seq_cst, then the tail (in DrainLocked()): pairs with a caller's claim
  // then its load of joined_ (DrainIfStopped()); either we see its entry,
  // or it sees us done and drains the queue itself.
  joined_.store(true, std::memory_order_seq_cst);
  // The final drain: everything queued, including what callers pushed
  // while the stop was under way.
  DrainLocked();
  if (lagging_) SetLagging(false);
}

void SinkWorker::SetLagging(bool lagging) {
  lagging_ = lagging;
  if (lagging) {
    logger_->lagging_sinks_.fetch_add(1, std::memory_order_relaxed);
  } else {
    logger_->lagging_sinks_.fetch_sub(1, std::memory_order_relaxed);
  }
}

void SinkWorker::DrainIfStopped() {
  if (!joined_.load(std::memory_order_seq_cst)) return;
  std::lock_guard<std::mutex> lock(drain_mu_);
  DrainLocked();
}

void SinkWorker::DrainLocked() {
  // A push claimed but not yet published is waited for: its caller is
  // between two stores.
  while (!queue_.Empty()) {
    if (ProcessBatch() == 0) sched_yield();
  }
}

bool SinkWorker::Pause(std::chrono::steady_clock::time_point deadline) {
  if (thread_ == nullptr || IsWorkerThread()) return false;
  pause_requested_.store(1, std::memory_order_seq_cst);
  WakeSlow();
  while (paused_.load(std::memory_order_acquire) == 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    SleepFor(std::chrono::microseconds(50));
  }
  return true;
}

void SinkWorker::Resume() {
  pause_requested_.store(0, std::memory_order_release);
  pause_requested_.notify_all();
}

void SinkWorker::ResetAfterFork() {
  // The thread is not in this process: its std::thread must not be joined,
  // and destroying it joinable would terminate. A non-joinable one made in
  // its place ends its life (it holds only a handle), and is destroyed.
  if (thread_ != nullptr) {
    std::thread* stale = thread_.release();
    new (stale) std::thread();
    delete stale;
  }
  thread_handle_.store({}, std::memory_order_relaxed);
  pause_requested_.store(0, std::memory_order_relaxed);
  paused_.store(0, std::memory_order_relaxed);
  parked_.store(0, std::memory_order_relaxed);
  flush_waiters_.store(0, std::memory_order_relaxed);
  // The parent writes what it had queued; here those entries only go back
  // to the pool. A push that was half-way in another thread at the fork
  // left a cell that is never published: the queue starts afresh instead.
  while (Entry* entry = queue_.TryPop()) logger_->Release(entry);
  queue_.Reset();
  batch_.clear();
  in_outage_ = false;
  sink_->ResetAfterFork();
  dropped_.store(0, std::memory_order_relaxed);
  blocked_.store(0, std::memory_order_relaxed);
  notices_.store(0, std::memory_order_relaxed);
  high_water_.store(0, std::memory_order_relaxed);
  flushed_.store(0, std::memory_order_relaxed);
  dropped_reported_ = 0;
  lost_reported_ = 0;
  lost_ = 0;
  // Stopped: whoever holds drain_mu_ consumes the queue from now on.
  stop_.store(true, std::memory_order_relaxed);
  joined_.store(true, std::memory_order_seq_cst);
}

bool SinkWorker::DrainForCrash(int64_t deadline_ns) {
  if (thread_ == nullptr || IsWorkerThread()) return false;
  const uint64_t target = queue_.tail();
  // No gather pauses while we wait. A parked worker is woken the way every
  // push wakes it (std::atomic::notify_one: atomics and a futex call, no
  // lock; a bare futex wake would miss a waiter that libstdc++ parks on a
  // proxy word).
  flush_waiters_.fetch_add(1, std::memory_order_seq_cst);
  WakeSlow();
  bool done = false;
  while (!(done = flushed_.load(std::memory_order_seq_cst) >= target) &&
         MonotonicNanos() < deadline_ns) {
    SleepFor(std::chrono::microseconds(200));
  }
  flush_waiters_.fetch_sub(1, std::memory_order_seq_cst);
  return done;
}

SinkWorkerStats SinkWorker::GetStats() const {
  SinkWorkerStats s;
  s.name = sink_->name();
  const SinkStats sink_stats = sink_->GetStats();
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.offered = queue_.tail() + s.dropped;
  s.written = sink_stats.written;
  s.lost = sink_stats.lost;
  s.errors = sink_stats.errors;
  s.syncs = sink_stats.syncs;
  s.blocked = blocked_.load(std::memory_order_relaxed);
  s.notices = notices_.load(std::memory_order_relaxed);
  s.queue_high_water = high_water_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace relog::logger_internal

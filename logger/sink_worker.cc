// SPDX-License-Identifier: Apache-2.0

#include "logger/sink_worker.h"

#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <chrono>

#include "fmt/format.h"
#include "logger/timestamp.h"
#include "pool/prefetch.h"

namespace relog::logger_internal {
namespace {

// The idle schedule measured to work on these machines (see DESIGN.md):
// poll briefly, then short sleeps for a while, then park.
constexpr auto kPollFor = std::chrono::microseconds(5);
// The 20 us steps measured there took about 70 us with the default timer
// slack, which this thread no longer has (see kTimerSlackNs); 60 us keeps
// idle wake-ups about as rare as they were.
constexpr auto kIdleSleepStep = std::chrono::microseconds(60);
constexpr auto kSleepFor = std::chrono::milliseconds(20);
// The pause after a trickle (see kGatherBelow).
constexpr auto kGatherSleep = std::chrono::microseconds(20);

// Below this many entries a batch is a trickle: the worker is keeping pace
// with the callers entry by entry, on their heels, taking each cell's line
// and each entry's first line from the caller's core moments after it wrote
// them, and paying a flush and a release per handful of entries. So after a
// trickle the worker sleeps kGatherSleep and lets a batch gather; a backlog goes
// on at once. Measured (bench/logger_benchmark.cc, BM_LogNullSink/1 against
// BM_FormatOnly, four alternating runs of each build): 1.31-1.51x without
// the pause, 1.30-1.35x with it (and one noisy 1.67x); the rest of the gap
// is the clock read and the queue claim.
constexpr std::size_t kGatherBelow = 64;

// The kernel lets a sleep overrun by the thread's timer slack, 50 us by
// default, which would turn each 20 us pause into about 70 us. The batch
// gathered meanwhile is written in one run, and a caller sharing this core
// (two callers on two cores) waits all of it out. Measured with
// `bench:load -- --workload=latency --threads=2`: caller p99.99 88-112 us
// with the default slack, 6-12 us with 1 us (4-41 us with no pause at all).
constexpr unsigned long kTimerSlackNs = 1000;

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

SinkWorker::SinkWorker(Logger* logger, std::shared_ptr<Sink> sink,
                       std::size_t queue_capacity)
    : Inbox(queue_capacity), logger_(logger), sink_(std::move(sink)) {
  batch_.reserve(kMaxBatch);
  thread_ = std::thread([this] { Run(); });
}

SinkWorker::~SinkWorker() { Stop(); }

void SinkWorker::PushBlocking(Entry* entry) {
  int attempts = 0;
  while (!queue_.TryPush(entry)) {
    // Counted once per push that had to wait: a queue too small for the
    // bursts it gets shows up here before it shows up as latency.
    if (attempts == 0) {
      blocked_.fetch_add(1, std::memory_order_relaxed);
      NoteBacklog(queue_.capacity());
    }
    // Full: the worker is behind. Make sure it is awake, then back off:
    // spin, then yield, then sleep in short steps (a slow sink, a network).
    WakeIfParked();
    ++attempts;
    if (attempts < 64) {
      CpuRelax();
    } else if (attempts < 1024) {
      sched_yield();
    } else {
      SleepFor(std::chrono::microseconds(50));
    }
  }
  WakeIfParked();
}

void Inbox::WakeSlow() {
  if (parked_.exchange(0, std::memory_order_seq_cst) != 0) {
    parked_.notify_one();
  }
}

bool SinkWorker::HasWork() const {
  return !queue_.Empty() || stop_.load(std::memory_order_acquire) ||
         dropped_.load(std::memory_order_relaxed) != dropped_reported_;
}

bool SinkWorker::MayHaveWork() const {
  return queue_.NextPublished() || stop_.load(std::memory_order_relaxed) ||
         dropped_.load(std::memory_order_relaxed) != dropped_reported_;
}

void SinkWorker::Run() {
  // Best effort: a thread that cannot set it keeps the default.
  prctl(PR_SET_TIMERSLACK, kTimerSlackNs, 0, 0, 0);
  for (;;) {
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
    if (stop_.load(std::memory_order_acquire) && queue_.Empty()) break;
    Idle();
  }
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
  // The high-water mark is sampled: reading the callers' tail takes the
  // line every push writes, which costs a caller a transfer when batches
  // are small. So read it when the batch shows a backlog (it was full) and
  // on one batch in 64; a caller that finds the queue full records that.
  if (batch_.size() == kMaxBatch || (++batches_ & 63) == 0) {
    NoteBacklog(queue_.tail() - queue_.head() + batch_.size());
  }
  constexpr std::size_t kPrefetchAhead = 8;
  // With intent to write: the entry's first line is written again when it
  // is reset, and fetching it once for ownership saves a second trip.
  for (std::size_t i = 0; i < batch_.size() && i < kPrefetchAhead; ++i) {
    PrefetchForWrite(batch_[i]);
  }
  for (std::size_t i = 0; i < batch_.size(); ++i) {
    if (i + kPrefetchAhead < batch_.size()) {
      PrefetchForWrite(batch_[i + kPrefetchAhead]);
    }
    sink_->Write(*batch_[i]);
  }
  const bool noticed =
      dropped_.load(std::memory_order_relaxed) != dropped_reported_;
  if (noticed) WriteDropNoticeIfAny();
  if (batch_.empty() && !noticed) return 0;
  sink_->Flush();
  for (Entry* entry : batch_) logger_->Release(entry);
  // seq_cst store, then the waiter count: pairs with WaitFlushed().
  flushed_.store(queue_.head(), std::memory_order_seq_cst);
  if (flush_waiters_.load(std::memory_order_seq_cst) > 0) {
    std::lock_guard<std::mutex> lock(flush_mu_);
    flush_cv_.notify_all();
  }
  return batch_.size() + (noticed ? 1 : 0);
}

void SinkWorker::WriteDropNoticeIfAny() {
  const uint64_t dropped = dropped_.load(std::memory_order_relaxed);
  const uint64_t newly = dropped - dropped_reported_;
  if (newly == 0) return;
  dropped_reported_ = dropped;
  Entry notice(&logger_->buffers_);
  notice.Set(ReadTimestampNanos(), Level::kWarn, CurrentThreadId(),
             logger_->name(), SourceLocation{"relog", 0, "drop notice"});
  fmt::format_to(fmt::appender(notice.mutable_message()),
                 "{} messages dropped: the queue of sink {} was full", newly,
                 sink_->name());
  sink_->WriteNotice(notice);
  notices_.fetch_add(1, std::memory_order_relaxed);
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
  if (thread_.joinable()) {
    stop_.store(true, std::memory_order_release);
    WakeSlow();
    thread_.join();
  }
  // Entries pushed by callers that raced with the stop: this thread is the
  // consumer now (the join orders it after the worker).
  while (!queue_.Empty()) {
    if (ProcessBatch() == 0) sched_yield();
  }
}

SinkWorkerStats SinkWorker::GetStats() const {
  SinkWorkerStats s;
  s.name = sink_->name();
  const SinkStats sink_stats = sink_->GetStats();
  s.written = sink_stats.written;
  s.errors = sink_stats.errors;
  s.dropped = dropped_.load(std::memory_order_relaxed);
  s.blocked = blocked_.load(std::memory_order_relaxed);
  s.notices = notices_.load(std::memory_order_relaxed);
  s.queue_high_water = high_water_.load(std::memory_order_relaxed);
  return s;
}

}  // namespace relog::logger_internal

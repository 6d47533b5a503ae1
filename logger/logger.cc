// SPDX-License-Identifier: Apache-2.0

#include "logger/logger.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <exception>
#include <new>

#include "absl/container/inlined_vector.h"
#include "logger/sink_worker.h"

namespace relog {
namespace logger_internal {

uint32_t CurrentThreadIdSlow() {
  // In a child of fork() every cached id is stale; only the forking thread
  // exists there, and its cache is cleared here.
  static const int registered = pthread_atfork(
      nullptr, nullptr, [] { tls_thread_id = 0; });
  (void)registered;
  tls_thread_id = static_cast<uint32_t>(syscall(SYS_gettid));
  return tls_thread_id;
}

void AbortAfterFatal(Logger& logger) {
  logger.Flush();
  std::abort();
}

}  // namespace logger_internal

namespace {

// Entries that can be in flight at once: a full queue (an entry in flight
// sits in at least one sink's queue or batch), a batch being written, and a
// caller's and a sink thread's caches.
std::size_t MostInFlight(const LoggerOptions& options) {
  return std::bit_ceil(std::max<std::size_t>(options.queue_capacity, 2)) +
         logger_internal::SinkWorker::kMaxBatch +
         2 * options.pool_per_thread_cache;
}

Pool<Entry>::Options EntryPoolOptions(const LoggerOptions& options,
                                      BufferPool* buffers) {
  Pool<Entry>::Options po;
  // On a cache-line boundary, so the fields the sink thread touches share
  // one line (see Entry).
  po.factory = [buffers] { return Entry::NewAligned(buffers); };
  po.destroy = &Entry::DeleteAligned;
  po.max_idle = std::max(options.pool_max_idle, MostInFlight(options));
  po.per_thread_cache = options.pool_per_thread_cache;
  return po;
}

}  // namespace

Logger::Logger(LoggerOptions options, std::vector<std::shared_ptr<Sink>> sinks)
    : options_(std::move(options)),
      name_(options_.name),
      level_(options_.level),
      entries_(EntryPoolOptions(options_, &buffers_)) {
  if (options_.preallocate) entries_.Reserve(MostInFlight(options_));
  // The clock's first sample: its calibration needs 1 ms of baseline, which
  // the rest of start-up usually provides before the first log call.
  ReadTimestampNanos();
  workers_.reserve(sinks.size());
  for (auto& sink : sinks) {
    if (sink == nullptr) continue;
    workers_.push_back(std::make_unique<logger_internal::SinkWorker>(
        this, std::move(sink), options_.queue_capacity));
  }
  if (workers_.size() == 1) {
    fast_inbox_ = workers_[0].get();
    fast_sink_ = &workers_[0]->sink();
  }
}

Logger::~Logger() { Shutdown(); }

void Logger::LogString(Level level, const SourceLocation& location,
                       std::string_view message) {
  Entry* entry = entries_.GetRaw();
  entry->Set(ReadTimestampNanos(), level, logger_internal::CurrentThreadId(),
             name_, location);
  entry->mutable_message().append(message.data(),
                                  message.data() + message.size());
  Dispatch(entry);
}

void Logger::FormatFailed(Entry& entry, fmt::string_view format) {
  format_errors_.fetch_add(1, std::memory_order_relaxed);
  std::string what = "unknown exception";
  try {
    throw;
  } catch (const std::exception& e) {
    what = e.what();
  } catch (...) {
  }
  auto& message = entry.mutable_message();
  message.clear();
  try {
    fmt::format_to(fmt::appender(message), "[relog: format error: {}] {}",
                   what, std::string_view(format.data(), format.size()));
  } catch (...) {
    message.clear();  // out of memory: log the bare marker
    constexpr std::string_view kMarker = "[relog: format error]";
    message.append(kMarker.data(), kMarker.data() + kMarker.size());
  }
}

void Logger::DispatchSlow(Entry* entry) {
  if (!accepting_.load(std::memory_order_relaxed)) [[unlikely]] {
    rejected_.fetch_add(1, std::memory_order_relaxed);
    entries_.Put(entry);
    return;
  }
  const Level level = entry->level();
  if (workers_.size() == 1) [[likely]] {
    logger_internal::SinkWorker& worker = *workers_[0];
    if (level < worker.sink().level()) {
      entries_.Put(entry);
      return;
    }
    entry->holders().store(1, std::memory_order_relaxed);
    Push(worker, entry);
    return;
  }
  DispatchToMany(entry);
}

void Logger::Push(logger_internal::SinkWorker& worker, Entry* entry) {
  if (options_.overflow == OverflowPolicy::kBlock) {
    worker.PushBlocking(entry);
  } else if (!worker.TryPush(entry)) {
    worker.CountDrop();
    Release(entry);
  }
}

void Logger::DispatchToMany(Entry* entry) {
  // Snapshot the sinks' levels once, so the holder count matches the pushes.
  const Level level = entry->level();
  absl::InlinedVector<bool, 8> wants(workers_.size());
  int holders = 0;
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    wants[i] = level >= workers_[i]->sink().level();
    holders += wants[i] ? 1 : 0;
  }
  if (holders == 0) {
    entries_.Put(entry);
    return;
  }
  // Set before the first push; the push's release publishes it.
  entry->holders().store(holders, std::memory_order_relaxed);
  for (std::size_t i = 0; i < workers_.size(); ++i) {
    if (wants[i]) Push(*workers_[i], entry);
  }
}

void Logger::Release(Entry* entry) {
  // A count of 1 means every other holder is done (their decrements were
  // releases; this load-acquire pairs with them), so the locked decrement
  // can be skipped: the common case with one sink. Otherwise acq_rel: the
  // last holder's Put (and Reset) happens after every other holder's reads.
  if (entry->holders().load(std::memory_order_acquire) == 1 ||
      entry->holders().fetch_sub(1, std::memory_order_acq_rel) == 1) {
    entries_.Put(entry);
  }
}

void Logger::Flush() {
  if (!accepting_.load(std::memory_order_acquire)) return;  // all written
  for (auto& worker : workers_) worker->WaitFlushed();
}

void Logger::Shutdown() {
  if (!accepting_.exchange(false, std::memory_order_acq_rel)) return;
  for (auto& worker : workers_) worker->Stop();
}

LoggerStats Logger::GetStats() const {
  LoggerStats s;
  s.entry_pool = entries_.GetStats();
  s.buffer_pool = buffers_.GetStats();
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.format_errors = format_errors_.load(std::memory_order_relaxed);
  s.logged = s.entry_pool.gets - s.rejected;
  for (const auto& worker : workers_) {
    s.sinks.push_back(worker->GetStats());
    s.dropped += s.sinks.back().dropped;
  }
  return s;
}

}  // namespace relog

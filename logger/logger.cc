// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/logger.h"

#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdlib>
#include <exception>
#include <new>
#include <optional>

#include "absl/base/thread_annotations.h"
#include "absl/container/inlined_vector.h"
#include "relog/logger/level_parse.h"
#include "relog/logger/quote.h"
#include "relog/logger/registry.h"
#include "relog/logger/sink_worker.h"
#include "relog/logger/thread_name.h"

namespace relog {
namespace logger_internal {

uint32_t CurrentThreadIdSlow() {
  // In a child of fork() every cached id is stale; only the forking thread
  // exists there, and its cache is cleared here.
  static const int registered =
      pthread_atfork(nullptr, nullptr, [] { tls_thread_id = 0; });
  (void)registered;
  tls_thread_id = static_cast<uint32_t>(syscall(SYS_gettid));
  RegisterThreadName(tls_thread_id);
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
// caller's and a sink thread's caches; and a backtrace's ring.
std::size_t MostInFlight(const LoggerOptions& options) {
  return std::bit_ceil(std::max<std::size_t>(options.queue_capacity, 2)) +
         logger_internal::SinkWorker::kMaxBatch +
         2 * options.pool_per_thread_cache + options.backtrace_size;
}

Pool<Entry>::Options EntryPoolOptions(const LoggerOptions& options,
                                      BufferPool* buffers,
                                      std::atomic<uint64_t>* format_errors) {
  Pool<Entry>::Options po;
  // On a cache-line boundary, so the fields the sink thread touches share
  // one line (see Entry).
  po.factory = [buffers, format_errors] {
    return Entry::NewAligned(buffers, format_errors);
  };
  po.destroy = &Entry::DeleteAligned;
  po.max_idle = std::max(options.pool_max_idle, MostInFlight(options));
  po.per_thread_cache = options.pool_per_thread_cache;
  return po;
}

}  // namespace

namespace logger_internal {

LoggerCore::LoggerCore(LoggerOptions options,
                       std::vector<std::shared_ptr<Sink>> sinks)
    : options_(std::move(options)),
      defer_(options_.deferred_formatting && RELOG_DEFERRED_FORMATTING),
      entries_(EntryPoolOptions(options_, &buffers_, &format_errors_)),
      backtrace_(options_.backtrace_size > 0 ? std::make_unique<Backtrace>()
                                             : nullptr) {
  if (backtrace_ != nullptr) backtrace_->ring.resize(options_.backtrace_size);
  if (options_.preallocate) entries_.Reserve(MostInFlight(options_));
  // The clock's first sample: its calibration needs 1 ms of baseline, which
  // the rest of start-up usually provides before the first log call.
  ReadTimestampNanos();
  workers_.reserve(sinks.size());
  for (auto& sink : sinks) {
    if (sink == nullptr) continue;
    const OverflowPolicy overflow =
        sink->overflow().value_or(options_.overflow);
    workers_.push_back(std::make_unique<SinkWorker>(
        this, std::move(sink), options_.queue_capacity, overflow));
  }
  if (workers_.size() == 1) {
    fast_inbox_ = workers_[0].get();
    fast_sink_ = &workers_[0]->sink();
  }
  LoggerRegistry::Add(this);
}

LoggerCore::~LoggerCore() {
  // First out of the registry, so that no exit, fork or crash handler
  // reaches a logger being torn down.
  LoggerRegistry::Remove(this);
  Shutdown();
  ClearBacktrace();
  if (Entry* crash = crash_entry_.exchange(nullptr)) {
    Entry::DeleteAligned(crash);
  }
}

void LoggerCore::FormatFailed(Entry& entry, fmt::string_view format) {
  entry.ClearFields();
  format_errors_.fetch_add(1, std::memory_order_relaxed);
  const std::string what = CurrentExceptionText();
  auto& message = entry.mutable_message();
  message.try_resize(entry.context_size());  // the context stays
  try {
    fmt::format_to(fmt::appender(message), "[relog: format error: {}] {}", what,
                   std::string_view(format.data(), format.size()));
  } catch (...) {
    message.try_resize(entry.context_size());  // out of memory: the marker
    constexpr std::string_view kMarker = "[relog: format error]";
    message.append(kMarker.data(), kMarker.data() + kMarker.size());
  }
}

void LoggerCore::DispatchSlow(Entry* entry) {
  switch (state_.load(std::memory_order_acquire)) {
    case kStopped:
      rejected_.fetch_add(1, std::memory_order_relaxed);
      entries_.Put(entry);
      return;
    case kRunning:
    case kSynchronous:
      break;
  }
  if (workers_.size() == 1) [[likely]] {
    SinkWorker& worker = *workers_[0];
    if (entry->level() < worker.sink().level()) {
      entries_.Put(entry);
      return;
    }
    entry->holders().store(1, std::memory_order_relaxed);
    Push(worker, entry);
  } else {
    DispatchToMany(entry);
  }
  AfterPush();
}

void LoggerCore::DispatchWithBacktrace(Entry* entry, Level logger_level) {
  Backtrace& bt = *backtrace_;
  if (entry->level() < logger_level &&
      state_.load(std::memory_order_acquire) != kStopped) {
    Entry* pushed_out = nullptr;
    {
      std::lock_guard<std::mutex> lock(bt.mu);
      const std::size_t capacity = bt.ring.size();
      if (bt.size == capacity) {
        pushed_out = bt.ring[bt.head];
        bt.ring[bt.head] = entry;
        bt.head = (bt.head + 1) % capacity;
      } else {
        bt.ring[(bt.head + bt.size) % capacity] = entry;
        ++bt.size;
      }
    }
    bt.kept.fetch_add(1, std::memory_order_relaxed);
    if (pushed_out != nullptr) entries_.Put(pushed_out);
    return;
  }
  if (entry->level() >= options_.backtrace_trigger) DumpBacktrace();
  DispatchNow(entry);
}

void LoggerCore::DumpBacktrace() {
  if (backtrace_ == nullptr) return;
  Backtrace& bt = *backtrace_;
  // Held while the entries are handed on, so that two dumps do not
  // interleave (and a fork waits for a dump to finish).
  std::lock_guard<std::mutex> lock(bt.mu);
  for (std::size_t i = 0; i < bt.size; ++i) {
    Entry* entry = bt.ring[(bt.head + i) % bt.ring.size()];
    entry->set_backtrace(true);
    bt.written.fetch_add(1, std::memory_order_relaxed);
    DispatchNow(entry);
  }
  bt.head = 0;
  bt.size = 0;
}

void LoggerCore::ClearBacktrace() {
  if (backtrace_ == nullptr) return;
  Backtrace& bt = *backtrace_;
  std::lock_guard<std::mutex> lock(bt.mu);
  for (std::size_t i = 0; i < bt.size; ++i) {
    entries_.Put(bt.ring[(bt.head + i) % bt.ring.size()]);
  }
  bt.head = 0;
  bt.size = 0;
}

void LoggerCore::Push(SinkWorker& worker, Entry* entry) {
  if (worker.TryPush(entry)) return;
  if (worker.overflow() == OverflowPolicy::kBlock) {
    worker.PushBlocking(entry);
  } else {
    worker.CountDrop();
    Release(entry);
  }
}

void LoggerCore::DispatchToMany(Entry* entry) {
  // Snapshot the sinks' levels once, so the holder count matches the pushes.
  const Level level = entry->level();
  absl::InlinedVector<SinkWorker*, 8> wanted;
  for (const auto& worker : workers_) {
    if (level >= worker->sink().level()) wanted.push_back(worker.get());
  }
  if (wanted.empty()) {
    entries_.Put(entry);
    return;
  }
  // Set before the first push; the push's release publishes it.
  entry->holders().store(static_cast<int>(wanted.size()),
                         std::memory_order_relaxed);
  // Every sink with room gets the entry before the caller waits for one
  // that has none, so a full queue under kBlock holds up the caller but not
  // the entry's other sinks.
  absl::InlinedVector<SinkWorker*, 8> full;
  for (SinkWorker* worker : wanted) {
    if (worker->TryPush(entry)) continue;
    if (worker->overflow() == OverflowPolicy::kDrop) {
      worker->CountDrop();
      Release(entry);
    } else {
      full.push_back(worker);
    }
  }
  if (!full.empty()) {
    SinkWorker::PushBlocking(full.data(), full.size(), entry);
  }
}

void LoggerCore::Release(Entry* entry) {
  // A count of 1 means every other holder is done (their decrements were
  // releases; this load-acquire pairs with them), so the locked decrement
  // can be skipped: the common case with one sink. Otherwise acq_rel: the
  // last holder's Put (and Reset) happens after every other holder's reads.
  if (entry->holders().load(std::memory_order_acquire) == 1 ||
      entry->holders().fetch_sub(1, std::memory_order_acq_rel) == 1) {
    entries_.Put(entry);
  }
}

void LoggerCore::DrainAfterStop() {
  for (auto& worker : workers_) worker->DrainIfStopped();
}

void LoggerCore::PrepareThread() {
  CurrentThreadId();  // cached per thread
  entries_.FillCallerCache();
}

void LoggerCore::Flush() {
  // Only a running logger has anything queued: in every other state the
  // calls write their own entries or are rejected.
  if (state_.load(std::memory_order_acquire) != kRunning) return;
  for (auto& worker : workers_) worker->WaitFlushed();
}

void LoggerCore::Shutdown() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  if (state_.load(std::memory_order_relaxed) == kStopped) return;
  StopWorkersLocked(kStopped);
  // What a backtrace kept was below the level: not written at the end.
  ClearBacktrace();
}

void LoggerCore::StopWorkersLocked(State state) {
  // seq_cst: pairs with the callers' load after their push (Dispatch()).
  state_.store(state, std::memory_order_seq_cst);
  for (auto& worker : workers_) worker->Stop();
}

void LoggerCore::EnterSynchronousMode() {
  std::lock_guard<std::mutex> lock(lifecycle_mu_);
  const uint8_t state = state_.load(std::memory_order_relaxed);
  if (state == kRunning) StopWorkersLocked(kSynchronous);
}

void LoggerCore::PrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  lifecycle_mu_.lock();
  // No thread may hold the backtrace across the fork (a dump finishes
  // first, its sink threads still running).
  if (backtrace_ != nullptr) backtrace_->mu.lock();
  if (state_.load(std::memory_order_relaxed) != kRunning) return;
  // A sink thread stuck in a long write (a network timeout) is not waited
  // for beyond this: then the child may inherit it mid-batch (see
  // SinkWorker::ResetAfterFork()).
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(1);
  for (auto& worker : workers_) worker->Pause(deadline);
}

void LoggerCore::ParentAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (state_.load(std::memory_order_relaxed) == kRunning) {
    for (auto& worker : workers_) worker->Resume();
  }
  if (backtrace_ != nullptr) backtrace_->mu.unlock();
  lifecycle_mu_.unlock();
}

void LoggerCore::ChildAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  if (state_.load(std::memory_order_relaxed) == kRunning) {
    // The sink threads are not in this process, and a child of a
    // multi-threaded process should not start threads (POSIX allows it
    // only async-signal-safe calls until it execs): each call writes its
    // own entry from here on, as after exit.
    for (auto& worker : workers_) worker->ResetAfterFork();
    // The counters are the child's own from here.
    gets_before_fork_ = entries_.GetStats().gets;
    rejected_.store(0, std::memory_order_relaxed);
    format_errors_.store(0, std::memory_order_relaxed);
    state_.store(kSynchronous, std::memory_order_seq_cst);
  }
  if (backtrace_ != nullptr) {
    // The parent's kept entries are the parent's to write: the child's
    // backtrace starts empty.
    backtrace_->mu.unlock();
    ClearBacktrace();
    backtrace_->kept.store(0, std::memory_order_relaxed);
    backtrace_->written.store(0, std::memory_order_relaxed);
  }
  lifecycle_mu_.unlock();
}

void LoggerCore::PrepareCrashEntry() {
  if (crash_entry_.load(std::memory_order_relaxed) != nullptr) return;
  Entry* entry = Entry::NewAligned(&buffers_, &format_errors_);
  // Room for a symbolized stack trace, so the crash path never allocates.
  entry->mutable_message().try_reserve(kCrashMessageCapacity);
  crash_entry_.store(entry, std::memory_order_release);
}

void LoggerCore::DrainForCrash(std::string_view text, int64_t deadline_ns) {
  if (state_.load(std::memory_order_acquire) != kRunning) return;
  for (auto& worker : workers_) worker->DrainForCrash(deadline_ns);
  if (text.empty()) return;
  Entry* entry = crash_entry_.exchange(nullptr, std::memory_order_acq_rel);
  if (entry == nullptr) return;
  entry->Set(ReadTimestampNanos(), Level::kFatal,
             CurrentThreadId(), name(), RELOG_SOURCE_LOCATION);
  auto& message = entry->mutable_message();
  message.clear();
  const std::size_t n = std::min(text.size(), message.capacity());
  message.append(text.data(), text.data() + n);
  int holders = 0;
  for (auto& worker : workers_) {
    if (worker->sink().level() <= Level::kFatal) ++holders;
  }
  if (holders == 0) return;  // the entry stays allocated: we are dying
  entry->holders().store(holders, std::memory_order_relaxed);
  for (auto& worker : workers_) {
    if (worker->sink().level() > Level::kFatal) continue;
    while (!worker->TryPush(entry)) {
      if (MonotonicNanos() >= deadline_ns) return;
      const struct timespec step = {0, 200000};
      nanosleep(&step, nullptr);
    }
  }
  for (auto& worker : workers_) worker->DrainForCrash(deadline_ns);
}

LoggerStats LoggerCore::GetStats() const {
  LoggerStats s;
  s.entry_pool = entries_.GetStats();
  s.buffer_pool = buffers_.GetStats();
  s.rejected = rejected_.load(std::memory_order_relaxed);
  s.format_errors = format_errors_.load(std::memory_order_relaxed);
  // Every call takes an entry; rejected ones give it straight back.
  const uint64_t gets = s.entry_pool.gets - gets_before_fork_;
  if (backtrace_ != nullptr) {
    s.backtrace_kept = backtrace_->kept.load(std::memory_order_relaxed);
    s.backtrace_written = backtrace_->written.load(std::memory_order_relaxed);
  }
  // Kept entries are accepted once written.
  const uint64_t held = s.rejected + s.backtrace_kept - s.backtrace_written;
  s.accepted = gets >= held ? gets - held : 0;
  for (const auto& worker : workers_) s.sinks.push_back(worker->GetStats());
  return s;
}

Logger& LoggerCore::Child(Logger& root, std::string_view path) {
  std::lock_guard<std::mutex> lock(tree_mu_);
  const auto it = children_.find(path);
  if (it != children_.end()) return *it->second;
  // A new child: the level set for its path by name, else its parent's
  // (the nearest existing ancestor: the parent made it, so it exists
  // unless the path was given whole).
  std::optional<Level> level = level_spec_.Named(path);
  if (!level.has_value()) {
    level = root.level();
    for (std::string_view up = path;;) {
      const std::size_t dot = up.rfind('.');
      if (dot == up.npos) break;
      up = up.substr(0, dot);
      const auto parent = children_.find(up);
      if (parent != children_.end()) {
        level = parent->second->level();
        break;
      }
    }
  }
  std::unique_ptr<Logger> child(new Logger(this, std::string(path), *level));
  Logger& made = *child;
  children_.emplace(std::string(path), std::move(child));
  return made;
}

void LoggerCore::SetLevels(Logger& root, const LevelSpec& spec) {
  std::lock_guard<std::mutex> lock(tree_mu_);
  level_spec_ = spec;
  if (spec.fallback.has_value()) root.set_level(*spec.fallback);
  for (auto& [path, child] : children_) {
    std::optional<Level> level = spec.Named(path);
    if (!level.has_value()) level = spec.fallback;
    if (level.has_value()) child->set_level(*level);
  }
}

}  // namespace logger_internal

Logger::Logger(LoggerOptions options, std::vector<std::shared_ptr<Sink>> sinks)
    : owned_core_(std::make_unique<logger_internal::LoggerCore>(
          std::move(options), std::move(sinks))),
      core_(owned_core_.get()),
      name_storage_(core_->options_.name),
      name_(name_storage_),
      level_(core_->options_.level),
      gate_(core_->GateFor(core_->options_.level)) {
  core_->root_ = this;
}

Logger::Logger(logger_internal::LoggerCore* core, std::string path,
               Level level)
    : core_(core),
      name_storage_(std::move(path)),
      name_(name_storage_),
      level_(level),
      gate_(core->GateFor(level)) {}

Logger::Logger(const Logger& parent, std::initializer_list<Field> fields)
    : core_(parent.core_),
      name_(parent.name_),
      context_([&] {
        auto context = std::make_unique<logger_internal::ContextBlock>();
        if (parent.context_ != nullptr) *context = *parent.context_;
        context->Add(fields);
        return context;
      }()),
      level_(parent.level()),
      gate_(core_->GateFor(parent.level())) {}

// The core's destructor shuts down, then frees the children.
Logger::~Logger() = default;

Logger& Logger::Child(std::string_view name) {
  // The path: this logger's, then the parts of `name` that are not empty,
  // each with the characters a path cannot hold replaced.
  // The root's path is empty (as is that of a logger With() made from it,
  // which shares the root's name).
  const bool root = name_.data() == core_->root_->name_.data();
  std::string path = root ? std::string() : std::string(name_);
  bool added = false;
  std::size_t start = 0;
  while (start <= name.size()) {
    std::size_t dot = name.find('.', start);
    if (dot == name.npos) dot = name.size();
    if (dot > start) {
      if (!path.empty()) path.push_back('.');
      added = true;
      for (const char c : name.substr(start, dot - start)) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                          (c >= '0' && c <= '9') || c == '_' || c == '-';
        path.push_back(keep ? c : '_');
      }
    }
    start = dot + 1;
  }
  if (!added) return *this;
  return core_->Child(*core_->root_, path);
}

absl::Status Logger::SetLevels(std::string_view spec) {
  absl::StatusOr<LevelSpec> parsed = ParseLevelSpec(spec);
  if (!parsed.ok()) return parsed.status();
  SetLevels(*parsed);
  return absl::OkStatus();
}

void Logger::SetLevels(const LevelSpec& spec) {
  core_->SetLevels(*core_->root_, spec);
}

void Logger::LogString(Level level, const SourceLocation& location,
                       std::string_view message) {
  Entry* entry = NewEntry(level, location);
  entry->mutable_message().append(message.data(),
                                  message.data() + message.size());
  core_->Dispatch(entry, level_);
}
}  // namespace relog

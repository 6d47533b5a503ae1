// SPDX-License-Identifier: Apache-2.0
//
// logger/logger.h: relog::Logger, the front end, and the RELOG_* macros.
//
// A log call checks the level (one relaxed load), takes an Entry from the
// logger's pool, fills it, and pushes the pointer to the queue of every
// sink whose level it passes. Filling it means, by default, copying the
// call's arguments and a decoder for them (logger/deferred.h): the first
// sink thread to read the message formats it. A call with an argument that
// cannot be copied whole, a logger made with deferred_formatting off, and
// any call while a sink thread is lagging format the message on the calling
// thread instead. Each sink has its own thread, which writes batches,
// flushes, and returns the entries; the last sink to finish with an entry
// gives it back to the pool. In steady state a log call allocates nothing
// and makes no system call.
//
// Example:
//   #include "relog/sinks/file_sink.h"
//   absl::StatusOr<std::shared_ptr<relog::FileSink>> file =
//       relog::FileSink::Open("/var/log/app.log");
//   relog::LoggerOptions options;
//   options.name = "app";
//   relog::Logger logger(options, {*file});
//   RELOG_INFO(logger, "user {} from {}", user, ip);
//
// Named loggers: logger.Child("net") is a logger with its own name and
// level that shares everything else (sinks, threads, pool) with its root;
// SetLevels() and RELOG_LEVEL set levels by name.
//
// Logger is thread-safe. Flush() returns once everything logged before it
// is written and flushed by every sink; Shutdown() and the destructor write
// everything accepted. A message logged after Shutdown() is not accepted
// (counted in `rejected`).
//
// Process life (see logger/registry.h): a logger that is never destroyed
// still writes what it accepted when the process exits (return from main,
// exit() on any thread), and from then on writes each call on the calling
// thread; after fork() the child's copy never writes what the parent had
// queued, and writes each of its own calls on the calling thread. With
// relog::InstallCrashHandler() (logger/crash_handler.h) a crash writes what
// every logger holds, then a last entry naming the signal.

#ifndef RELOG_LOGGER_LOGGER_H_
#define RELOG_LOGGER_LOGGER_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/base/attributes.h"
#include "absl/base/thread_annotations.h"
#include "absl/status/status.h"
#include "fmt/core.h"
#include "relog/logger/deferred.h"
#include "relog/logger/entry.h"
#include "relog/logger/fields.h"
#include "relog/logger/fmt_buffer.h"
#include "relog/logger/inbox.h"
#include "relog/logger/level.h"
#include "relog/logger/rate_limit.h"
#include "relog/logger/sink.h"
#include "relog/logger/timestamp.h"
#include "relog/pool/buffer_pool.h"
#include "relog/pool/pool.h"

// RELOG_DEFERRED_FORMATTING: 1 (the default), a RELOG_* call whose arguments
// can all be copied whole copies them and the sink side formats the message
// (logger/deferred.h; LoggerOptions::deferred_formatting turns it off for a
// logger at run time); 0, every call formats on the caller.
#ifndef RELOG_DEFERRED_FORMATTING
#define RELOG_DEFERRED_FORMATTING 1
#endif

// RELOG_COMPILE_FORMATS: 1, the macros compile their format string with fmt
// (FMT_COMPILE), which needs it to be a string literal or a constant at
// namespace scope: faster to format, but more code and compile time per
// call site (measured in the README, "Performance"); 0,
// it is parsed at run time when the message is formatted. The default
// follows RELOG_DEFERRED_FORMATTING: where calls defer, formatting is off
// the caller's path and run-time formats keep call sites small (0); where
// every call formats on the caller, compiled formats make calls faster (1).
// Either way the format is checked against the arguments at compile time. A
// format known only at run time goes through Logger::Log() with
// fmt::runtime().
#ifndef RELOG_COMPILE_FORMATS
#if RELOG_DEFERRED_FORMATTING
#define RELOG_COMPILE_FORMATS 0
#else
#define RELOG_COMPILE_FORMATS 1
#endif
#endif
#if RELOG_COMPILE_FORMATS
#include "fmt/compile.h"
#endif

// The compile-time floor: calls below it are removed entirely. 0 = trace,
// 1 = debug, 2 = info, 3 = warn, 4 = error, 5 = fatal.
#ifndef RELOG_MIN_LEVEL
#define RELOG_MIN_LEVEL 0
#endif

namespace relog {

struct LoggerOptions {
  std::string name = "relog";
  Level level = Level::kInfo;
  // Per sink; rounded up to a power of two.
  std::size_t queue_capacity = 8192;
  // For every sink that does not set its own (Sink::set_overflow()).
  OverflowPolicy overflow = OverflowPolicy::kBlock;
  // Entry pool: idle entries kept in its shared store (raised if needed to
  // hold the preallocation), and per thread.
  std::size_t pool_max_idle = 16384;
  std::size_t pool_per_thread_cache = 64;
  // Make, up front, as many entries as can be in flight at once (a full
  // queue, a batch being written, the caches), so that no log call
  // allocates even in the first burst. Off: entries are made on demand.
  bool preallocate = true;
  // RELOG_* calls whose arguments can all be copied whole defer their
  // formatting to the sink side (logger/deferred.h). Off: every call
  // formats on the caller. (Without RELOG_DEFERRED_FORMATTING, off always.)
  bool deferred_formatting = true;
  // Backtrace: with a size, the logger keeps the last `backtrace_size`
  // calls at or above `backtrace_level` that its own level turns away (in a
  // ring of pooled entries), and writes them, in order and marked as
  // backtrace, just before the first entry at or above `backtrace_trigger`
  // (and on DumpBacktrace()); the ring is then empty. 0: off.
  std::size_t backtrace_size = 0;
  Level backtrace_level = Level::kDebug;
  Level backtrace_trigger = Level::kError;
};

// What happened to the entries offered to one sink. Once everything is
// flushed, offered == written + dropped + lost. (For a sink shared with
// other loggers, written, lost, errors and syncs are the sink's totals
// across all of them; see logger/sink.h.)
struct SinkWorkerStats {
  std::string name;
  // Entries for this sink (past its level): queued, or dropped at its full
  // queue.
  uint64_t offered = 0;
  uint64_t written = 0;  // delivered: on disk, or handed to the socket
  uint64_t dropped = 0;  // dropped at its full queue (kDrop)
  uint64_t lost = 0;     // given up after I/O errors (see Sink::retry_for())
  uint64_t blocked = 0;  // pushes that waited for room (kBlock)
  uint64_t notices = 0;  // "N messages dropped/lost" notices written
  uint64_t errors = 0;   // I/O errors the sink reported
  uint64_t syncs = 0;    // batches made durable (Sink::sync_level())
  // Most entries seen waiting in its queue (sampled by the sink thread; the
  // capacity once a caller has found the queue full).
  uint64_t queue_high_water = 0;
};

struct LoggerStats {
  // Calls that passed the logger's level and were taken in (formatted and
  // offered to the sinks whose level they pass; see `sinks`).
  uint64_t accepted = 0;
  // Calls refused because the logger was shut down.
  uint64_t rejected = 0;
  // Calls below the logger's level kept for a backtrace, and those of them
  // written by a dump (the others were pushed out of the ring by newer
  // ones, or are still in it). Kept calls count in `accepted` once written.
  uint64_t backtrace_kept = 0;
  uint64_t backtrace_written = 0;
  // Accepted calls whose formatting threw (logged with the error as the
  // message).
  uint64_t format_errors = 0;
  PoolStats entry_pool;
  BufferPool::Stats buffer_pool;
  std::vector<SinkWorkerStats> sinks;
};

class Logger;
class LoggerTestPeer;

namespace logger_internal {
class SinkWorker;
class LoggerRegistry;
// Formats with a compiled format (FMT_COMPILE). Defined below only under
// RELOG_COMPILE_FORMATS, so that a build without it includes no more of fmt
// than fmt/core.h (the rest of fmt's templates cost every file that logs
// compile time and code).
template <typename Compiled, typename... Args>
void FormatCompiled(FmtBuffer& out, const Compiled& compiled,
                    const Args&... args);
// The calling thread's kernel id, cached per thread (and reset in a forked
// child, whose thread id differs).
inline thread_local constinit uint32_t tls_thread_id = 0;
uint32_t CurrentThreadIdSlow();
inline uint32_t CurrentThreadId() {
  const uint32_t id = tls_thread_id;
  if (id == 0) [[unlikely]] return CurrentThreadIdSlow();
  return id;
}

// LoggerCore: what a Logger and its named children (Logger::Child()) share:
// the entry pool, the sink threads and their queues, the backtrace, the
// lifecycle. Made and owned by the root Logger; internal to relog (Logger is
// the interface). Every member is for Logger, the sink threads and the
// process handlers (logger/registry.h).
class LoggerCore {
 public:
  LoggerCore(LoggerOptions options, std::vector<std::shared_ptr<Sink>> sinks);
  LoggerCore(const LoggerCore&) = delete;
  LoggerCore& operator=(const LoggerCore&) = delete;
  // Out of the registry, shut down, and the children freed.
  ~LoggerCore();

  // Where the logger is in its life. Anything but kRunning sends a call to
  // the slow path.
  enum State : uint8_t {
    // Sink threads write what callers queue.
    kRunning,
    // The process is exiting (or exited from a thread while this logger
    // lived), or is a fork()ed child: there are no sink threads, and each
    // call writes its own entry on the calling thread, so what static
    // destructors log is still written.
    kSynchronous,
    // Shut down: calls are rejected.
    kStopped,
  };

  // The root logger's name (options.name): what the sinks' own notices and
  // a crash's final entry carry.
  const std::string& name() const { return options_.name; }

  // Whether a deferrable call defers. Not while a sink thread is lagging:
  // it found its queue half full and has not yet come back to a short batch
  // (128 entries by default: an eighth of a full batch). A deferred entry
  // costs its sink thread the formatting, so a sink that is the bottleneck
  // would fall further behind while the callers wait on a full queue;
  // formatting on the callers meanwhile shares the work out. The load is of
  // a line written only when a sink starts or stops lagging.
  bool ShouldDefer() const {
    return defer_ && lagging_sinks_.load(std::memory_order_relaxed) == 0;
  }

  // Hands a filled entry, from a logger whose level is `logger_level` (read
  // only with a backtrace), to the sinks. The common case, one sink, a running logger and room in the
  // queue, is inline here: a level check, one queue claim, and loads of the
  // sink's parked flag and of the state.
  void Dispatch(Entry* entry, const std::atomic<Level>& logger_level) {
    if (backtrace_ != nullptr) [[unlikely]] {
      DispatchWithBacktrace(entry,
                            logger_level.load(std::memory_order_relaxed));
      return;
    }
    DispatchNow(entry);
  }
  void DispatchNow(Entry* entry) {
    if (fast_inbox_ != nullptr &&
        state_.load(std::memory_order_relaxed) == kRunning) [[likely]] {
      if (entry->level() >= fast_sink_->level()) [[likely]] {
        entry->holders().store(1, std::memory_order_relaxed);
        if (fast_inbox_->TryPush(entry)) [[likely]] {
          AfterPush();
          return;
        }
      }
    }
    DispatchSlow(entry);
  }
  void DispatchSlow(Entry* entry);
  // With a backtrace: keeps an entry below `logger_level`, or dumps the
  // backtrace before an entry at or above the trigger.
  void DispatchWithBacktrace(Entry* entry, Level logger_level);
  // The lowest level a logger's ShouldLog() lets through when its level is
  // `level`.
  Level GateFor(Level level) const {
    return backtrace_ != nullptr && options_.backtrace_level < level
               ? options_.backtrace_level
               : level;
  }
  void DumpBacktrace();
  // Returns what the backtrace holds to the pool, unwritten.
  void ClearBacktrace();
  // After every push of a call. seq_cst, after the push's seq_cst claim:
  // pairs with the store of the state in StopWorkersLocked() (Dekker).
  // Either the stopping thread's final drain sees our entry, or we see the
  // state change and write it ourselves (in synchronous mode, this is where
  // every call writes its entry).
  void AfterPush() {
    if (state_.load(std::memory_order_seq_cst) != kRunning) [[unlikely]] {
      DrainAfterStop();
    }
  }
  // Called from a catch block: replaces the message with a description of
  // the exception in flight and counts it.
  void FormatFailed(Entry& entry, fmt::string_view format);
  void DispatchToMany(Entry* entry);
  void Push(SinkWorker& worker, Entry* entry);
  // Drops one sink's hold on `entry`; the last one returns it to the pool.
  void Release(Entry* entry);
  // After a push that found the logger no longer running: writes what the
  // stopped sink threads left in their queues, on this thread.
  void DrainAfterStop();

  void PrepareThread();
  void Flush();
  void Shutdown();
  LoggerStats GetStats() const;

  // Named loggers (Logger::Child(), Logger::SetLevels()). `root` is the
  // Logger that owns this core.
  Logger& Child(Logger& root, std::string_view path);
  void SetLevels(Logger& root, const LevelSpec& spec);

  // Lifecycle, under lifecycle_mu_ (see LoggerRegistry for the callers).
  // Stores `state` and stops every sink thread, draining its queue.
  void StopWorkersLocked(State state)
      ABSL_EXCLUSIVE_LOCKS_REQUIRED(lifecycle_mu_);
  // Exit: from kRunning to kSynchronous.
  void EnterSynchronousMode();
  // fork(): PrepareFork() takes lifecycle_mu_ and pauses the sink threads
  // between batches; the parent's and the child's handlers give it back.
  void PrepareFork();
  void ParentAfterFork();
  void ChildAfterFork();
  // Crash: waits (without locks) for the sink threads to write what is
  // queued, then writes `text` as a final fatal entry; bounded by
  // `deadline_ns` (CLOCK_MONOTONIC). From a signal handler.
  void DrainForCrash(std::string_view text, int64_t deadline_ns);
  void PrepareCrashEntry();
  // What the final entry of a crash can hold (a symbolized stack trace).
  static constexpr std::size_t kCrashMessageCapacity = 16384;

  const LoggerOptions options_;
  // options_.deferred_formatting, read by every deferrable call.
  const bool defer_;
  std::atomic<uint8_t> state_{kRunning};
  // Sink threads lagging (see ShouldDefer()); each adds itself and takes
  // itself off as it starts and stops.
  std::atomic<uint32_t> lagging_sinks_{0};
  std::atomic<uint64_t> rejected_{0};
  std::atomic<uint64_t> format_errors_{0};
  // Gets from the entry pool that were not calls of this process (the
  // parent's, in a fork()ed child).
  uint64_t gets_before_fork_ = 0;
  // Declared before the entry pool: entries give grown buffers back to it.
  BufferPool buffers_;
  Pool<Entry> entries_;
  std::vector<std::unique_ptr<SinkWorker>> workers_;
  // With exactly one sink: its worker's Inbox and its sink, for
  // DispatchNow()'s inline path (null otherwise). They live as long as
  // workers_.
  Inbox* fast_inbox_ = nullptr;
  const Sink* fast_sink_ = nullptr;
  std::mutex lifecycle_mu_;
  // The backtrace's ring of kept entries (null without one): `size`
  // entries from `head`, oldest first.
  struct Backtrace {
    std::mutex mu;
    std::vector<Entry*> ring;
    std::size_t head = 0;
    std::size_t size = 0;
    std::atomic<uint64_t> kept{0};
    std::atomic<uint64_t> written{0};
  };
  const std::unique_ptr<Backtrace> backtrace_;
  // Made when a crash handler is installed: the final entry, ready so the
  // crash path need not allocate. Owned until pushed.
  std::atomic<Entry*> crash_entry_{nullptr};
  // The named children, by path, and the levels last set by name (which
  // children made later follow). Children live as long as the core, so
  // their names (which entries point to) outlive every entry.
  std::mutex tree_mu_;
  std::map<std::string, std::unique_ptr<Logger>, std::less<>> children_
      ABSL_GUARDED_BY(tree_mu_);
  LevelSpec level_spec_ ABSL_GUARDED_BY(tree_mu_);
  // The Logger that owns this core (set once, by its constructor).
  Logger* root_ = nullptr;
};

}  // namespace logger_internal

// Logger: what services log through. A root Logger (made with sinks) owns
// its sink threads, queues and pool; its named children (Child()) share
// them, each with its own name and level.
class Logger {
 public:
  Logger(LoggerOptions options, std::vector<std::shared_ptr<Sink>> sinks);
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;
  // A root logger shuts down (see Shutdown()) and frees its children. As
  // for any object, no other thread may call the logger (or a child of it)
  // once its destruction has begun: stop them first (their calls after
  // Shutdown() are rejected at once, so they can run down). A child is
  // destroyed with its root, never by itself.
  ~Logger();

  // Logger::ShouldLog(): one relaxed load. True also for a call below the
  // logger's level that a backtrace keeps.
  bool ShouldLog(Level level) const {
    return level >= gate_.load(std::memory_order_relaxed);
  }

  // Logger::Log(): any thread. The format is checked at compile time and
  // parsed when the call runs, on the calling thread: the format may be a
  // string known only at run time (fmt::runtime()), which a deferred call
  // could not keep. The RELOG_* macros check the level first (so arguments
  // of a disabled call are not evaluated), capture the source location, and
  // call LogCompiled() or LogLiteral() instead.
  template <typename... Args>
  void Log(Level level, const SourceLocation& location,
           fmt::format_string<Args...> format, Args&&... args) {
    Emit(level, location, format, [&](Entry& entry) {
      fmt::vformat_to(fmt::appender(entry.mutable_message()), format,
                      fmt::make_format_args(args...));
    });
  }

  // Logger::LogLiteral(): as Log(), for a format that is a string literal
  // (or any string that outlives the process's logging), which lets a call
  // whose arguments can all be copied whole defer its formatting to the
  // sink side (logger/deferred.h), and may name its placeholders (kNamed,
  // logger/fields.h). What the macros call when RELOG_COMPILE_FORMATS is 0,
  // and for a named format.
  template <bool kNamed = false, typename... Args>
  void LogLiteral(Level level, const SourceLocation& location,
                  logger_internal::CheckedFormat<kNamed, Args...> format,
                  Args&&... args) {
    if constexpr (RELOG_DEFERRED_FORMATTING &&
                  logger_internal::kAllDeferrable<Args...>) {
      if (core_->ShouldDefer()) [[likely]] {
        using F = std::conditional_t<kNamed, logger_internal::NamedFormat,
                                     logger_internal::RuntimeFormat>;
        EmitDeferred<F, std::remove_cvref_t<Args>...>(level, location,
                                                      format.get(), args...);
        return;
      }
    }
    if constexpr (kNamed) {
      EmitNamed(level, location, format.get(), 0, args...);
    } else {
      // Checked at compile time already.
      Log(level, location, fmt::runtime(format.get()),
          std::forward<Args>(args)...);
    }
  }

  // Logger::LogCompiled(): as Log(), with the format also compiled by fmt
  // (the first argument is FMT_COMPILE(format)) into code for these
  // argument types, so nothing is parsed when the call runs (faster to
  // format, more code per call site; README, "Using relog"). A named format
  // (kNamed) is not compiled: it goes to LogLiteral().
  //
  // The compiled format's type is empty, and hidden (fmt declares it so
  // inside a lambda): it is made afresh where it is used rather than
  // captured, since a capture would give the closure a field of hidden type
  // and g++ warns (-Wattributes) for calls in member functions defined in a
  // class body.
  //
  // A call whose arguments can all be copied whole defers its formatting
  // to the sink side (logger/deferred.h), which formats with the same
  // compiled format, unless a sink is lagging (see
  // LoggerCore::ShouldDefer()).
  template <bool kNamed = false, typename Compiled, typename... Args>
  void LogCompiled(Level level, const SourceLocation& location,
                   const Compiled& /*compiled*/,
                   logger_internal::CheckedFormat<kNamed, Args...> format,
                   Args&&... args) {
    static_assert(std::is_empty_v<Compiled>);
    if constexpr (kNamed) {
      LogLiteral<true, Args...>(level, location, format,
                                std::forward<Args>(args)...);
    } else {
      if constexpr (RELOG_DEFERRED_FORMATTING &&
                    logger_internal::kAllDeferrable<Args...>) {
        if (core_->ShouldDefer()) [[likely]] {
          EmitDeferred<logger_internal::CompiledFormat<Compiled>,
                       std::remove_cvref_t<Args>...>(level, location,
                                                     format.get(), args...);
          return;
        }
      }
      Emit(level, location, format.get(), [&](Entry& entry) {
        logger_internal::FormatCompiled(entry.mutable_message(), Compiled(),
                                        args...);
      });
    }
  }

  // Logger::LogSuppressed(): as LogLiteral(), for a rate-limited call site
  // (RELOG_INFO_EVERY_N and the like) that suppressed `suppressed` calls
  // since its last entry: the message ends with " [N suppressed]". It
  // formats on the caller: such calls are rare by design, and the count
  // then needs no room in the entry.
  template <bool kNamed = false, typename... Args>
  void LogSuppressed(uint64_t suppressed, Level level,
                     const SourceLocation& location,
                     logger_internal::CheckedFormat<kNamed, Args...> format,
                     Args&&... args) {
    if constexpr (kNamed) {
      EmitNamed(level, location, format.get(), suppressed, args...);
    } else {
      Emit(level, location, format.get(), [&](Entry& entry) {
        auto& out = entry.mutable_message();
        fmt::vformat_to(fmt::appender(out), format.get(),
                        fmt::make_format_args(args...));
        fmt::format_to(fmt::appender(out), " [{} suppressed]", suppressed);
      });
    }
  }

  // Logger::LogString(): as Log(), for a message already formatted.
  void LogString(Level level, const SourceLocation& location,
                 std::string_view message);

  // Logger::Child(): any thread. The named logger `name` under this one:
  // its entries carry its path (this logger's path, a dot, `name`: "db",
  // then "db.pool"; a root's path is empty) as their logger name, it has
  // its own level, and it shares everything else with its root: sinks, sink
  // threads, queues, pool, backtrace, stats, Flush() and Shutdown(). Made
  // once per path (a lookup under a lock; an allocation the first time)
  // and kept until the root is destroyed: a second call with the same path
  // returns the same logger, and a call through a child costs what one
  // through the root does (BM_LogChild). A new child takes the level that
  // levels set by name give its path (SetLevels(), RELOG_LEVEL), else this
  // logger's.
  //
  // Names are dotted paths of letters, digits, '_' and '-': any other
  // character becomes '_', empty parts are dropped (".a..b." is "a.b"), and
  // a name with no part left gives this logger itself.
  Logger& Child(std::string_view name);

  // Logger::With(): a logger whose entries carry `fields` (and this
  // logger's own context, if it has one) as context: JSON keys, `key=value`
  // after the message in text (`%K` in a pattern), syslog structured data.
  // It has this logger's name and level (at the time of the call, then its
  // own: SetLevels() does not reach it) and shares everything else; it may be destroyed at
  // any time (its entries carry a copy of the context). Making one
  // allocates; logging through it does not. Names are checked at compile
  // time; a context holds at most kMaxContextBytes (logger/fields.h: fields
  // that do not fit are left out and counted in the entries). Child() of it
  // gives the named child, without the context.
  //
  //   auto api = logger.With({{"service", "api"}, {"shard", 3}});
  //   RELOG_INFO(api, "listening");
  std::unique_ptr<Logger> With(std::initializer_list<Field> fields) const {
    return std::unique_ptr<Logger>(new Logger(*this, fields));
  }

  // Logger::SetLevels(): any thread. Sets the levels of this logger's root
  // and of its children by path, as RELOG_LEVEL does:
  // "info,net=debug,db.pool=trace" (logger/level.h, ParseLevelSpec()). A
  // child takes the level of the longest path that names it or one of its
  // ancestors ("db" covers "db.pool"), else the bare level; the root takes
  // the bare level; a logger neither names keeps its own. Children made
  // later follow the named levels. A bad spec is an InvalidArgument error
  // that names the problem, and changes nothing.
  absl::Status SetLevels(std::string_view spec);
  void SetLevels(const LevelSpec& spec);

  // Logger::PrepareThread(): the calling thread's. Fills the thread's
  // cache of this logger's entries (making them if need be), so that its
  // next calls, up to LoggerOptions::pool_per_thread_cache of them, take
  // nothing from a store shared with other threads. Call it on a thread
  // about to start latency-critical work; calls that do without it are
  // correct, only the first ones are slower. (A root and its children share
  // one pool: preparing a thread for one prepares it for all.)
  void PrepareThread() { core_->PrepareThread(); }

  // Logger::Flush(): any thread. Returns once everything logged before the
  // call is written and flushed by every sink (or given up as lost, after
  // the sink's retry time). Flushed means handed to the kernel (write(2));
  // Flush() does not itself call fsync. A file sink with a sync level
  // (Sink::sync_level(), `fsync=LEVEL`) has made durable every batch that
  // held an entry at or above it before Flush() returns.
  void Flush() { core_->Flush(); }

  // Logger::Shutdown(): any thread, idempotent. Writes and flushes
  // everything accepted, stops the sink threads. Calls racing with it are
  // either written or rejected (counted in `rejected`), never lost or
  // leaked (a call waiting for room under kBlock is written once the sink
  // drains); calls after it are rejected. (Through a child, it shuts down
  // the root and every child: they share the sink threads.)
  void Shutdown() { core_->Shutdown(); }

  // Logger::DumpBacktrace(): any thread. Writes the entries the backtrace
  // holds (oldest first, marked as backtrace) and empties it. Nothing
  // without LoggerOptions::backtrace_size. (One backtrace serves a root and
  // its children.)
  void DumpBacktrace() { core_->DumpBacktrace(); }

  Level level() const { return level_.load(std::memory_order_relaxed); }
  // This logger's level only (not its children's; see SetLevels()).
  void set_level(Level level) {
    level_.store(level, std::memory_order_relaxed);
    gate_.store(core_->GateFor(level), std::memory_order_relaxed);
  }
  // A root's options.name; a child's path; for a logger made by With(),
  // its parent's.
  std::string_view name() const { return name_; }
  // The root's options.
  const LoggerOptions& options() const { return core_->options_; }

  // The root's: a root and its children share their pool and sinks.
  LoggerStats GetStats() const { return core_->GetStats(); }

 private:
  friend class logger_internal::LoggerCore;
  friend class LoggerTestPeer;

  // A child of the logger that owns `core` (LoggerCore::Child()).
  Logger(logger_internal::LoggerCore* core, std::string path, Level level);
  // A logger with `parent`'s name, level and context, and `fields` (With()).
  Logger(const Logger& parent, std::initializer_list<Field> fields);

  // A pooled entry with the call's metadata and context.
  Entry* NewEntry(Level level, const SourceLocation& location) {
    Entry* entry = core_->entries_.GetRaw();
    entry->Set(ReadTimestampNanos(), level, logger_internal::CurrentThreadId(),
               name_, location);
    if (context_ != nullptr || !logger_internal::tls_context.empty())
        [[unlikely]] {
      entry->AddContext(context_.get());
    }
    return entry;
  }
  // Fills a pooled entry (`write_message` formats into it) and
  // dispatches it. A formatter that throws does not escape: the entry
  // carries the error and `format` instead.
  template <typename WriteMessage>
  void Emit(Level level, const SourceLocation& location,
            fmt::string_view format, const WriteMessage& write_message) {
    logger_internal::LoggerCore& core = *core_;
    Entry* entry = NewEntry(level, location);
#if defined(__cpp_exceptions)
    try {
#endif
      write_message(*entry);
#if defined(__cpp_exceptions)
    } catch (...) {
      core.FormatFailed(*entry, format);
    }
#else
    static_cast<void>(format);
#endif
    core.Dispatch(entry, level_);
  }
  // Fills a pooled entry with the arguments, encoded, and a decoder that
  // formats them with F on the sink side, and dispatches it.
  template <typename F, typename... Ts>
  void EmitDeferred(Level level, const SourceLocation& location,
                    fmt::string_view format, const Ts&... args) {
    logger_internal::LoggerCore& core = *core_;
    Entry* entry = NewEntry(level, location);
    const std::size_t size = logger_internal::EncodedSize(args...);
    logger_internal::FmtBuffer& buffer = entry->mutable_message();
    const std::size_t context = entry->context_size();
    buffer.try_resize(context + size);
    logger_internal::Encode(buffer.data() + context, args...);
    entry->SetDeferred(&logger_internal::Decode<F, Ts...>,
                       static_cast<uint32_t>(size), format, F::kNamed);
    core.Dispatch(entry, level_);
  }
  // A named format formatted on the caller: the message (with " [N
  // suppressed]" when `suppressed`), then the fields.
  template <typename... Args>
  void EmitNamed(Level level, const SourceLocation& location,
                 fmt::string_view format, uint64_t suppressed,
                 const Args&... args) {
    Emit(level, location, format, [&](Entry& entry) {
      auto& out = entry.mutable_message();
      logger_internal::FormatNamed(out, format, args...);
      if (suppressed != 0) {
        fmt::format_to(fmt::appender(out), " [{} suppressed]", suppressed);
      }
      const auto message_size =
          static_cast<uint32_t>(out.size() - entry.context_size());
      logger_internal::FieldBlockWriter fields(out);
      logger_internal::VisitNamed(format, fields, args...);
      entry.SetFieldsAt(message_size);
    });
  }

  // A root's own core (null in a child); core_ is it, or the root's.
  std::unique_ptr<logger_internal::LoggerCore> owned_core_;
  logger_internal::LoggerCore* const core_;
  // A root's name or a child's path; empty for a logger made by With(),
  // whose name_ is its parent's (which lives as long as the core).
  const std::string name_storage_;
  const std::string_view name_;
  // The fields With() added (null without).
  std::unique_ptr<const logger_internal::ContextBlock> context_;
  std::atomic<Level> level_;
  // What ShouldLog() compares with: level_, or lower with a backtrace.
  std::atomic<Level> gate_;
};

namespace logger_internal {

// Lets the macros take a Logger&, a Logger* or a smart pointer to one.
inline Logger& Deref(Logger& l) { return l; }
inline Logger& Deref(Logger* l) { return *l; }
template <typename P>
inline auto Deref(const P& p) -> decltype(*p) {
  return *p;
}

[[noreturn]] void AbortAfterFatal(Logger& logger);

// True when `level` is at or above the compile-time floor.
constexpr bool AboveFloor(Level level) {
  return static_cast<int>(level) - RELOG_MIN_LEVEL >= 0;
}

}  // namespace logger_internal
}  // namespace relog

#define RELOG_SOURCE_LOCATION \
  (::relog::SourceLocation{__FILE__, __LINE__, __func__})

#if RELOG_COMPILE_FORMATS
namespace relog::logger_internal {
template <typename Compiled, typename... Args>
void FormatCompiled(FmtBuffer& out, const Compiled& compiled,
                    const Args&... args) {
  fmt::format_to(fmt::appender(out), compiled, args...);
}
template <typename Compiled>
struct CompiledFormat {
  static constexpr bool kNamed = false;
  template <typename... Vs>
  static void Format(FmtBuffer& out, fmt::string_view,
                     const Vs&... values) {
    FormatCompiled(out, Compiled(), values...);
  }
};
}  // namespace relog::logger_internal

#define RELOG_CALL_LOG_(logger, lvl, format, ...)                        \
  (logger).LogCompiled<::relog::logger_internal::HasNames(format)>(      \
      lvl, RELOG_SOURCE_LOCATION, FMT_COMPILE(format),                   \
      format __VA_OPT__(, ) __VA_ARGS__)
#else
#define RELOG_CALL_LOG_(logger, lvl, format, ...)                   \
  (logger).LogLiteral<::relog::logger_internal::HasNames(format)>(  \
      lvl, RELOG_SOURCE_LOCATION, format __VA_OPT__(, ) __VA_ARGS__)
#endif
// The format of a call's arguments (the first of them).
#define RELOG_FORMAT_OF_(format, ...) format

// Binds `relog_logger_` to the Logger that `logger` (a Logger, a pointer
// or a smart pointer to one) designates. A temporary (logger.With({...}))
// lives until the end of the call's statement.
#define RELOG_BIND_LOGGER_(logger)              \
  auto&& relog_logger_ref_ = (logger);          \
  ::relog::Logger& relog_logger_ =              \
      ::relog::logger_internal::Deref(relog_logger_ref_)

// A plain call is a conditional one whose condition always holds
// (RELOG_LOG_IF_, below).
#define RELOG_LOG_AT_(logger, lvl, ...) \
  RELOG_LOG_IF_(logger, lvl, true, __VA_ARGS__)

#define RELOG_TRACE(logger, ...) \
  RELOG_LOG_AT_(logger, ::relog::Level::kTrace, __VA_ARGS__)
#define RELOG_DEBUG(logger, ...) \
  RELOG_LOG_AT_(logger, ::relog::Level::kDebug, __VA_ARGS__)
#define RELOG_INFO(logger, ...) \
  RELOG_LOG_AT_(logger, ::relog::Level::kInfo, __VA_ARGS__)
#define RELOG_WARN(logger, ...) \
  RELOG_LOG_AT_(logger, ::relog::Level::kWarn, __VA_ARGS__)
#define RELOG_ERROR(logger, ...) \
  RELOG_LOG_AT_(logger, ::relog::Level::kError, __VA_ARGS__)
// Logs (whatever the logger's level), flushes every sink, then aborts.
#define RELOG_FATAL(logger, ...)                                         \
  do {                                                                   \
    RELOG_BIND_LOGGER_(logger);                                          \
    RELOG_CALL_LOG_(relog_logger_, ::relog::Level::kFatal, __VA_ARGS__); \
    ::relog::logger_internal::AbortAfterFatal(relog_logger_);            \
  } while (0)

// Conditional and rate-limited forms, in the vocabulary of glog and Abseil
// (README, "Using relog"). Each checks the logger's level first; a call at
// a level that is off is neither counted nor evaluated. Then:
//   RELOG_<LEVEL>_IF(logger, cond, format, args...)       logs when `cond`
//   RELOG_<LEVEL>_EVERY_N(logger, n, format, args...)     the 1st, n+1th...
//   RELOG_<LEVEL>_FIRST_N(logger, n, format, args...)     the first n
//   RELOG_<LEVEL>_EVERY(logger, period, format, args...)  at most once per
//                                                         std::chrono period
// where LEVEL is TRACE, DEBUG, INFO, WARN or ERROR (and RELOG_FATAL_IF,
// which logs and aborts when `cond` holds, whatever the level). A call that
// does not log evaluates none of its arguments. The rate-limited forms keep
// their state per call site, shared by all threads (logger/rate_limit.h);
// an entry that follows suppressed calls ends with " [N suppressed]".
#define RELOG_LOG_IF_(logger, lvl, cond, ...)                  \
  do {                                                         \
    if constexpr (::relog::logger_internal::AboveFloor(lvl)) { \
      RELOG_BIND_LOGGER_(logger);                              \
      if (relog_logger_.ShouldLog(lvl) && (cond)) {            \
        RELOG_CALL_LOG_(relog_logger_, lvl, __VA_ARGS__);      \
      }                                                        \
    }                                                          \
  } while (0)

// `Site` is the state type of logger/rate_limit.h, `admit` the
// parenthesized arguments of its Admit().
#define RELOG_LOG_LIMITED_(logger, lvl, Site, admit, ...)                 \
  do {                                                                    \
    if constexpr (::relog::logger_internal::AboveFloor(lvl)) {            \
      RELOG_BIND_LOGGER_(logger);                                         \
      if (relog_logger_.ShouldLog(lvl)) {                                 \
        static constinit ::relog::logger_internal::Site relog_site_;      \
        const uint64_t relog_suppressed_ = relog_site_.Admit admit;       \
        if (relog_suppressed_ == 0) {                                     \
          RELOG_CALL_LOG_(relog_logger_, lvl, __VA_ARGS__);               \
        } else if (relog_suppressed_ !=                                   \
                   ::relog::logger_internal::kSuppress) {                 \
          relog_logger_.LogSuppressed<::relog::logger_internal::HasNames( \
              RELOG_FORMAT_OF_(__VA_ARGS__, ))>(                          \
              relog_suppressed_, lvl, RELOG_SOURCE_LOCATION, __VA_ARGS__); \
        }                                                                 \
      }                                                                   \
    }                                                                     \
  } while (0)

#define RELOG_LOG_EVERY_N_(logger, lvl, n, ...) \
  RELOG_LOG_LIMITED_(logger, lvl, EveryN, (n), __VA_ARGS__)
#define RELOG_LOG_FIRST_N_(logger, lvl, n, ...) \
  RELOG_LOG_LIMITED_(logger, lvl, FirstN, (n), __VA_ARGS__)
#define RELOG_LOG_EVERY_(logger, lvl, period, ...)                     \
  RELOG_LOG_LIMITED_(logger, lvl, Every,                               \
                     ((period), ::relog::ReadTimestampNanos()), __VA_ARGS__)

#define RELOG_TRACE_IF(logger, cond, ...) \
  RELOG_LOG_IF_(logger, ::relog::Level::kTrace, cond, __VA_ARGS__)
#define RELOG_DEBUG_IF(logger, cond, ...) \
  RELOG_LOG_IF_(logger, ::relog::Level::kDebug, cond, __VA_ARGS__)
#define RELOG_INFO_IF(logger, cond, ...) \
  RELOG_LOG_IF_(logger, ::relog::Level::kInfo, cond, __VA_ARGS__)
#define RELOG_WARN_IF(logger, cond, ...) \
  RELOG_LOG_IF_(logger, ::relog::Level::kWarn, cond, __VA_ARGS__)
#define RELOG_ERROR_IF(logger, cond, ...) \
  RELOG_LOG_IF_(logger, ::relog::Level::kError, cond, __VA_ARGS__)
#define RELOG_FATAL_IF(logger, cond, ...)   \
  do {                                      \
    if (cond) RELOG_FATAL(logger, __VA_ARGS__); \
  } while (0)

#define RELOG_TRACE_EVERY_N(logger, n, ...) \
  RELOG_LOG_EVERY_N_(logger, ::relog::Level::kTrace, n, __VA_ARGS__)
#define RELOG_DEBUG_EVERY_N(logger, n, ...) \
  RELOG_LOG_EVERY_N_(logger, ::relog::Level::kDebug, n, __VA_ARGS__)
#define RELOG_INFO_EVERY_N(logger, n, ...) \
  RELOG_LOG_EVERY_N_(logger, ::relog::Level::kInfo, n, __VA_ARGS__)
#define RELOG_WARN_EVERY_N(logger, n, ...) \
  RELOG_LOG_EVERY_N_(logger, ::relog::Level::kWarn, n, __VA_ARGS__)
#define RELOG_ERROR_EVERY_N(logger, n, ...) \
  RELOG_LOG_EVERY_N_(logger, ::relog::Level::kError, n, __VA_ARGS__)

#define RELOG_TRACE_FIRST_N(logger, n, ...) \
  RELOG_LOG_FIRST_N_(logger, ::relog::Level::kTrace, n, __VA_ARGS__)
#define RELOG_DEBUG_FIRST_N(logger, n, ...) \
  RELOG_LOG_FIRST_N_(logger, ::relog::Level::kDebug, n, __VA_ARGS__)
#define RELOG_INFO_FIRST_N(logger, n, ...) \
  RELOG_LOG_FIRST_N_(logger, ::relog::Level::kInfo, n, __VA_ARGS__)
#define RELOG_WARN_FIRST_N(logger, n, ...) \
  RELOG_LOG_FIRST_N_(logger, ::relog::Level::kWarn, n, __VA_ARGS__)
#define RELOG_ERROR_FIRST_N(logger, n, ...) \
  RELOG_LOG_FIRST_N_(logger, ::relog::Level::kError, n, __VA_ARGS__)

#define RELOG_TRACE_EVERY(logger, period, ...) \
  RELOG_LOG_EVERY_(logger, ::relog::Level::kTrace, period, __VA_ARGS__)
#define RELOG_DEBUG_EVERY(logger, period, ...) \
  RELOG_LOG_EVERY_(logger, ::relog::Level::kDebug, period, __VA_ARGS__)
#define RELOG_INFO_EVERY(logger, period, ...) \
  RELOG_LOG_EVERY_(logger, ::relog::Level::kInfo, period, __VA_ARGS__)
#define RELOG_WARN_EVERY(logger, period, ...) \
  RELOG_LOG_EVERY_(logger, ::relog::Level::kWarn, period, __VA_ARGS__)
#define RELOG_ERROR_EVERY(logger, period, ...) \
  RELOG_LOG_EVERY_(logger, ::relog::Level::kError, period, __VA_ARGS__)

#endif  // RELOG_LOGGER_LOGGER_H_

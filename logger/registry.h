// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/registry.h: relog::logger_internal::LoggerRegistry, the set of
// live loggers, and what it does for them at the process's turning points:
//
//  - exit (std::exit() or a return from main, on any thread): an atexit
//    handler puts every live logger in synchronous mode: its sink threads
//    write everything queued and stop, and later calls (from static
//    destructors, or from threads still running) are written on the calling
//    thread. A logger that is never destroyed therefore loses nothing at a
//    normal exit. (_exit(), quick_exit() and a kill skip it, as they skip
//    stdio's buffers.)
//  - fork(): pthread_atfork handlers hold the registry, each logger's
//    lifecycle lock, and (through pool/) every pool's lock across the fork,
//    and pause each sink thread between batches (so none holds a lock, glibc's
//    included, when the child is made). In the parent the threads go on; in
//    the child the parent's queued entries go back to the pool unwritten,
//    and each logger is synchronous (as after exit): a child of a
//    multi-threaded process should not start threads before it execs.
//  - a crash (logger/crash_handler.h): DrainAllForCrash() walks a lock-free
//    copy of the set from a signal handler.
//
// Thread-safety: everything here is thread-safe; DrainAllForCrash() takes
// no lock (it reads the copy's atomics) and is meant for a signal handler.

#ifndef RELOG_LOGGER_REGISTRY_H_
#define RELOG_LOGGER_REGISTRY_H_

#include <cstdint>
#include <string_view>

namespace relog {
namespace logger_internal {
class LoggerCore;

// CLOCK_MONOTONIC in nanoseconds; async-signal-safe (the crash path's
// clock).
int64_t MonotonicNanos();

class LoggerRegistry {
 public:
  // Loggers a crash can reach; later ones are still flushed at exit and
  // handled at fork, but not on a crash.
  static constexpr int kMaxCrashLoggers = 256;

  // Add() / Remove(): from LoggerCore's constructor and destructor (one
  // per root logger; its children share it).
  static void Add(LoggerCore* logger);
  static void Remove(LoggerCore* logger);

  // The crash handler: makes each logger's final entry ahead of time, and
  // those of loggers made later.
  static void PrepareForCrashes();
  // From a signal handler: drains every reachable logger and writes `text`
  // as its final entry, all within `deadline_ns` (CLOCK_MONOTONIC).
  static void DrainAllForCrash(std::string_view text, int64_t deadline_ns);
};

}  // namespace logger_internal
}  // namespace relog

#endif  // RELOG_LOGGER_REGISTRY_H_

// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/registry.h"

#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "absl/base/thread_annotations.h"
#include "relog/logger/logger.h"

namespace relog::logger_internal {
namespace {

struct Registry {
  std::mutex mu;
  std::vector<LoggerCore*> loggers ABSL_GUARDED_BY(mu);
  bool crash_ready ABSL_GUARDED_BY(mu) = false;
  // What a crash can reach: written under `mu`, read by the crash handler
  // without it.
  std::atomic<LoggerCore*> crash_slots[LoggerRegistry::kMaxCrashLoggers] = {};
};

// Never destroyed: loggers may be destroyed (and the exit handler run)
// during static destruction.
Registry& GetRegistry() {
  static Registry* const registry = new Registry;
  return *registry;
}

void OnExit() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  for (LoggerCore* logger : r.loggers) {
    logger->EnterSynchronousMode();
  }
}

// fork(): the registry stays locked from prepare to the end of the parent's
// or child's handler, so the set of loggers cannot change meanwhile.
void OnPrepareFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Registry& r = GetRegistry();
  r.mu.lock();
  for (LoggerCore* logger : r.loggers) logger->PrepareFork();
}

void OnParentAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Registry& r = GetRegistry();
  for (LoggerCore* logger : r.loggers) logger->ParentAfterFork();
  r.mu.unlock();
}

void OnChildAfterFork() ABSL_NO_THREAD_SAFETY_ANALYSIS {
  Registry& r = GetRegistry();
  for (LoggerCore* logger : r.loggers) logger->ChildAfterFork();
  r.mu.unlock();
}

}  // namespace

void LoggerRegistry::Add(LoggerCore* logger) {
  // Registered at the first logger, after its pools (so the pools' fork
  // handlers, registered with the first pool, run after ours in the
  // prepare step and before ours in the others: our sink threads are
  // paused before the pools' locks are taken, and the pools are usable
  // again when our child handler returns entries to them).
  static const bool handlers = [] {
    std::atexit(&OnExit);
    pthread_atfork(&OnPrepareFork, &OnParentAfterFork, &OnChildAfterFork);
    return true;
  }();
  (void)handlers;
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.loggers.push_back(logger);
  if (r.crash_ready) logger->PrepareCrashEntry();
  for (auto& slot : r.crash_slots) {
    if (slot.load(std::memory_order_relaxed) == nullptr) {
      slot.store(logger, std::memory_order_release);
      break;
    }
  }
}

void LoggerRegistry::Remove(LoggerCore* logger) {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.loggers.erase(std::remove(r.loggers.begin(), r.loggers.end(), logger),
                  r.loggers.end());
  for (auto& slot : r.crash_slots) {
    if (slot.load(std::memory_order_relaxed) == logger) {
      slot.store(nullptr, std::memory_order_release);
    }
  }
}

void LoggerRegistry::PrepareForCrashes() {
  Registry& r = GetRegistry();
  std::lock_guard<std::mutex> lock(r.mu);
  r.crash_ready = true;
  for (LoggerCore* logger : r.loggers) logger->PrepareCrashEntry();
}

void LoggerRegistry::DrainAllForCrash(std::string_view text,
                                      int64_t deadline_ns) {
  Registry& r = GetRegistry();
  // First every logger's queues, then the final entries: the lines that
  // explain the crash come before the crash.
  for (auto& slot : r.crash_slots) {
    LoggerCore* logger = slot.load(std::memory_order_acquire);
    if (logger != nullptr) logger->DrainForCrash({}, deadline_ns);
  }
  for (auto& slot : r.crash_slots) {
    LoggerCore* logger = slot.load(std::memory_order_acquire);
    if (logger != nullptr) logger->DrainForCrash(text, deadline_ns);
  }
}

}  // namespace relog::logger_internal

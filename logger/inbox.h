// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/inbox.h: relog::logger_internal::Inbox, the part of a sink thread
// that callers touch: its queue, its "parked" flag, and the push that wakes
// the thread only when it is parked.
//
// SinkWorker is an Inbox; Logger keeps a pointer to the Inbox of its only
// sink so that a log call can push without calling out of line.
//
// Thread-safety: TryPush() and WakeIfParked() from any thread; the
// protected members belong to the SinkWorker.

#ifndef RELOG_LOGGER_INBOX_H_
#define RELOG_LOGGER_INBOX_H_

#include <atomic>
#include <cstddef>
#include <cstdint>

#include "relog/logger/entry.h"
#include "relog/logger/mpsc_queue.h"

namespace relog::logger_internal {

class Inbox {
 public:
  Inbox(const Inbox&) = delete;
  Inbox& operator=(const Inbox&) = delete;

  // Inbox::TryPush(): any thread. False when the queue is full (under kDrop
  // the caller then counts the drop and releases its hold).
  bool TryPush(Entry* entry) {
    if (!queue_.TryPush(entry)) return false;
    WakeIfParked();
    return true;
  }

  // True while the sink thread is parked (for tests and diagnostics).
  bool parked() const { return parked_.load(std::memory_order_relaxed) != 0; }

  void WakeIfParked() {
    // seq_cst load: pairs with the worker's seq_cst store of `parked_` and
    // the queue's seq_cst claim (Dekker): either the worker sees our entry
    // before sleeping or we see it parked and wake it.
    if (parked_.load(std::memory_order_seq_cst) != 0) [[unlikely]] {
      WakeSlow();
    }
  }

 protected:
  explicit Inbox(std::size_t queue_capacity) : queue_(queue_capacity) {}
  ~Inbox() = default;

  // Clears `parked_` and wakes the thread waiting on it, if it was set.
  void WakeSlow();

  BoundedMpscQueue<Entry> queue_;
  // Read by callers on every push and written by the worker only when it
  // parks or wakes: a line of its own.
  alignas(64) std::atomic<uint32_t> parked_{0};
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_INBOX_H_

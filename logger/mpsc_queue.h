// SPDX-License-Identifier: Apache-2.0
//
// logger/mpsc_queue.h: a bounded multi-producer single-consumer queue of
// pointers (Dmitry Vyukov's bounded queue, consumer side simplified).
//
// A push is one CAS on the shared tail; producers never take a lock. Each
// cell carries a sequence number that says whose turn it is: the producer
// that claimed position p may fill cell p once its sequence is p, and
// publishes it by storing p + 1; the consumer empties it and hands it to the
// next lap by storing p + capacity.
//
// Thread-safety: TryPush() from any thread; TryPop(), Empty() and the
// consumer-side accessors from the one consumer thread only.

#ifndef RELOG_LOGGER_MPSC_QUEUE_H_
#define RELOG_LOGGER_MPSC_QUEUE_H_

#include <atomic>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>

namespace relog::logger_internal {

template <typename T>
class BoundedMpscQueue {
 public:
  // `capacity` is rounded up to a power of two (at least 2).
  explicit BoundedMpscQueue(std::size_t capacity)
      : capacity_(std::bit_ceil(capacity < 2 ? std::size_t{2} : capacity)),
        mask_(capacity_ - 1),
        cells_(new Cell[capacity_]) {
    for (std::size_t i = 0; i < capacity_; ++i) {
      cells_[i].seq.store(i, std::memory_order_relaxed);
    }
  }
  BoundedMpscQueue(const BoundedMpscQueue&) = delete;
  BoundedMpscQueue& operator=(const BoundedMpscQueue&) = delete;

  // TryPush(): any thread. False when the queue is full.
  bool TryPush(T* value) {
    uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      Cell& cell = cells_[pos & mask_];
      // load-acquire: pairs with the consumer's release in TryPop(), so the
      // cell is ours to overwrite only after the consumer is done with it.
      const uint64_t seq = cell.seq.load(std::memory_order_acquire);
      const int64_t diff = static_cast<int64_t>(seq - pos);
      if (diff == 0) {
        // seq_cst: the claim is ordered before the producer's later read of
        // the consumer's "parked" flag (see SinkWorker), a Dekker pairing.
        if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst,
                                        std::memory_order_relaxed)) {
          cell.value = value;
          // store-release: publishes `value` to the consumer.
          cell.seq.store(pos + 1, std::memory_order_release);
          return true;
        }
      } else if (diff < 0) {
        return false;  // full: the cell still holds last lap's value
      } else {
        pos = tail_.load(std::memory_order_relaxed);
      }
    }
  }

  // TryPop(): consumer only. Null when the next cell is not published yet
  // (empty, or a producer is between its claim and its publish).
  T* TryPop() {
    Cell& cell = cells_[head_ & mask_];
    // load-acquire: pairs with the producer's release.
    if (cell.seq.load(std::memory_order_acquire) != head_ + 1) return nullptr;
    T* value = cell.value;
    // store-release: hands the cell to the producer of the next lap.
    cell.seq.store(head_ + capacity_, std::memory_order_release);
    ++head_;
    head_published_.store(head_, std::memory_order_release);
    return value;
  }

  // Claimed positions (pushed or being pushed). Any thread.
  uint64_t tail() const { return tail_.load(std::memory_order_seq_cst); }
  // Positions popped. Any thread.
  uint64_t head() const {
    return head_published_.load(std::memory_order_acquire);
  }
  // Consumer only: nothing claimed beyond what was popped.
  bool Empty() const { return tail() == head_; }
  // Consumer only: the next TryPop() would return a value. Reads only the
  // next cell, not the tail every producer writes.
  bool NextPublished() const {
    return cells_[head_ & mask_].seq.load(std::memory_order_acquire) ==
           head_ + 1;
  }
  std::size_t capacity() const { return capacity_; }

 private:
  // Not padded: 16 bytes a cell keeps an 8192-entry ring at 128 KiB.
  struct Cell {
    std::atomic<uint64_t> seq;
    T* value = nullptr;
  };

  const std::size_t capacity_;
  const std::size_t mask_;
  const std::unique_ptr<Cell[]> cells_;
  alignas(64) std::atomic<uint64_t> tail_{0};
  alignas(64) uint64_t head_ = 0;  // consumer's own
  std::atomic<uint64_t> head_published_{0};
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_MPSC_QUEUE_H_

// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/mpsc_queue.h: a bounded multi-producer single-consumer queue of
// pointers, after Dmitry Vyukov's bounded queue.
//
// A push is one CAS on the shared tail; producers never take a lock. A
// producer that claimed position p fills cell p and publishes it by storing
// p + 1 in the cell's sequence number, which the consumer waits for. Unlike
// Vyukov's queue, the consumer never writes a cell: room is judged from the
// consumer's published head (pos - head < capacity), through a copy that
// producers refresh only when the queue looks full. So a push reads no line
// the consumer has just written, and the consumer only reads the cells,
// which is what a caller on another core pays for (measured: a push no
// longer stalls on the consumer's write of the previous cell's line).
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
    Reset();
  }
  BoundedMpscQueue(const BoundedMpscQueue&) = delete;
  BoundedMpscQueue& operator=(const BoundedMpscQueue&) = delete;

  // Reset(): empties the queue, forgetting what is in it. Only while no
  // other thread can touch it (at construction; in a fork()ed child).
  void Reset() {
    // No position's publication (p + 1) equals these: cell i is first
    // published with i + 1.
    for (std::size_t i = 0; i < capacity_; ++i) {
      cells_[i].seq.store(i, std::memory_order_relaxed);
    }
    tail_.store(0, std::memory_order_relaxed);
    cached_head_.store(0, std::memory_order_relaxed);
    head_ = 0;
    head_published_.store(0, std::memory_order_relaxed);
  }

  // TryPush(): any thread. False when the queue is full.
  bool TryPush(T* value) {
    uint64_t pos = tail_.load(std::memory_order_relaxed);
    for (;;) {
      // load-acquire here, store-release below: the copy carries the
      // consumer's release of `head_published_` on to every producer, so a
      // cell it freed is ours to overwrite. (Plain moves on x86.)
      if (pos - cached_head_.load(std::memory_order_acquire) >= capacity_) {
        // Looks full: refresh the copy of the consumer's head.
        const uint64_t head = head_published_.load(std::memory_order_acquire);
        cached_head_.store(head, std::memory_order_release);
        if (pos - head >= capacity_) {
          // Full, unless another producer moved the tail meanwhile.
          const uint64_t now = tail_.load(std::memory_order_relaxed);
          if (now == pos) return false;
          pos = now;
          continue;
        }
      }
      // seq_cst: the claim is ordered before the producer's later read of
      // the consumer's "parked" flag (see SinkWorker), a Dekker pairing.
      if (tail_.compare_exchange_weak(pos, pos + 1, std::memory_order_seq_cst,
                                      std::memory_order_relaxed)) {
        break;
      }
    }
    Cell& cell = cells_[pos & mask_];
    cell.value = value;
    // store-release: publishes `value` to the consumer.
    cell.seq.store(pos + 1, std::memory_order_release);
    return true;
  }

  // TryPop(): consumer only. Null when the next cell is not published yet
  // (empty, or a producer is between its claim and its publish).
  T* TryPop() {
    Cell& cell = cells_[head_ & mask_];
    // load-acquire: pairs with the producer's release.
    if (cell.seq.load(std::memory_order_acquire) != head_ + 1) return nullptr;
    T* value = cell.value;
    ++head_;
    // store-release: the cell is read; producers of the next lap may
    // overwrite it.
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
  // Producers' copy of `head_published_`, refreshed when the queue looks
  // full; may lag (or even go back), which only causes another refresh.
  alignas(64) std::atomic<uint64_t> cached_head_{0};
  alignas(64) uint64_t head_ = 0;  // consumer's own
  std::atomic<uint64_t> head_published_{0};
};

}  // namespace relog::logger_internal

#endif  // RELOG_LOGGER_MPSC_QUEUE_H_

// SPDX-License-Identifier: Apache-2.0
//
// pool/buffer_pool.h: relog::BufferPool, byte buffers recycled in
// power-of-two size classes.
//
// A request is rounded up to its class (256 B, 512 B, ... 64 KiB by
// default) and served from that class's Pool. A request larger than the
// largest class is allocated exactly and freed when given back, never kept:
// pooling buffers of wildly varying size must not pin the largest one
// forever. Each class has its own cap on idle buffers, and the per-thread
// caches of large classes are kept small.
//
// BufferPool is thread-safe. Buffer (the handle) is thread-compatible and
// move-only; it gives its memory back when destroyed. Under ASan an idle
// buffer's bytes are poisoned, so touching a buffer after giving it back is
// reported.

#ifndef RELOG_POOL_BUFFER_POOL_H_
#define RELOG_POOL_BUFFER_POOL_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <utility>
#include <vector>

#include "relog/pool/pool.h"

namespace relog {

namespace pool_internal {

// The header in front of every pooled buffer's bytes; one allocation holds
// both. 16 bytes, so the data stays 16-aligned.
struct alignas(16) BufferBlock {
  explicit BufferBlock(std::size_t cap) : capacity(cap) {}
  void Reset() {}
  std::size_t PooledBytes() const { return sizeof(BufferBlock) + capacity; }
  char* data() { return reinterpret_cast<char*>(this + 1); }
  static BufferBlock* FromData(char* data) {
    return reinterpret_cast<BufferBlock*>(data) - 1;
  }

  std::size_t capacity;
};

}  // namespace pool_internal

class BufferPool {
 public:
  struct Options {
    // Smallest and largest class; both are rounded up to powers of two.
    std::size_t min_class = 256;
    std::size_t max_class = 64 * 1024;
    // Idle bytes kept per class in the shared store (at least 4 buffers).
    std::size_t max_idle_bytes_per_class = 4 * 1024 * 1024;
    // Bytes a thread may cache per class (between 2 and 32 buffers).
    std::size_t thread_cache_bytes_per_class = 64 * 1024;
    std::chrono::nanoseconds trim_period = std::chrono::seconds(10);
    PoolClock clock;
  };

  // A raw block: `capacity` usable bytes at `data`.
  struct Block {
    char* data = nullptr;
    std::size_t capacity = 0;
  };

  class Buffer;

  BufferPool() : BufferPool(Options()) {}
  explicit BufferPool(Options options);
  BufferPool(const BufferPool&) = delete;
  BufferPool& operator=(const BufferPool&) = delete;
  ~BufferPool();

  // BufferPool::Allocate(): any thread. A block of at least `n` bytes: its
  // class's size, or exactly `n` past the largest class. The caller owns it
  // until Deallocate().
  Block Allocate(std::size_t n);

  // BufferPool::Deallocate(): any thread; gives back a block from
  // Allocate() (with the capacity Allocate() reported).
  void Deallocate(char* data, std::size_t capacity);

  // BufferPool::Get(): an empty Buffer with capacity for at least `n` bytes.
  Buffer Get(std::size_t n);

  // BufferPool::ClassSize(): the capacity a request of `n` bytes gets, or 0
  // when `n` is past the largest class.
  std::size_t ClassSize(std::size_t n) const;

  std::size_t min_class() const { return min_class_; }
  std::size_t max_class() const { return max_class_; }

  // BufferPool::GetStats(): counters summed over the classes; `oversize`
  // counts requests past the largest class (allocated and freed each time).
  struct Stats {
    PoolStats pooled;
    uint64_t oversize = 0;
  };
  Stats GetStats() const;
  PoolStats GetClassStats(std::size_t class_size) const;

  // BufferPool::Trim() / MaybeTrim(): Pool::Trim() / MaybeTrim() for every
  // class.
  void Trim();
  void MaybeTrim();

 private:
  using BlockPool = Pool<pool_internal::BufferBlock>;

  int ClassIndex(std::size_t n) const;

  std::size_t min_class_;
  std::size_t max_class_;
  int min_shift_;
  std::vector<std::unique_ptr<BlockPool>> classes_;
  std::atomic<uint64_t> oversize_{0};
};

// A growable byte buffer whose memory comes from (and goes back to) a
// BufferPool. Growing moves to a larger class; the grown capacity is kept
// when the buffer is given back, in that class.
class BufferPool::Buffer {
 public:
  Buffer() = default;
  Buffer(Buffer&& other) noexcept { *this = std::move(other); }
  Buffer& operator=(Buffer&& other) noexcept {
    if (this != &other) {
      Release();
      pool_ = std::exchange(other.pool_, nullptr);
      block_ = std::exchange(other.block_, Block{});
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  ~Buffer() { Release(); }

  char* data() { return block_.data; }
  const char* data() const { return block_.data; }
  std::size_t size() const { return size_; }
  std::size_t capacity() const { return block_.capacity; }
  std::string_view view() const { return {block_.data, size_}; }

  void clear() { size_ = 0; }
  void Reserve(std::size_t n);
  void Append(std::string_view s) {
    if (size_ + s.size() > block_.capacity) Reserve(size_ + s.size());
    std::memcpy(block_.data + size_, s.data(), s.size());
    size_ += s.size();
  }
  // Sets the size after writing into data() directly (n <= capacity()).
  void Resize(std::size_t n) { size_ = n; }

 private:
  friend class BufferPool;
  Buffer(BufferPool* pool, Block block) : pool_(pool), block_(block) {}
  void Release() {
    if (pool_ != nullptr && block_.data != nullptr) {
      pool_->Deallocate(block_.data, block_.capacity);
    }
    pool_ = nullptr;
    block_ = Block{};
    size_ = 0;
  }

  BufferPool* pool_ = nullptr;
  Block block_;
  std::size_t size_ = 0;
};

}  // namespace relog

#endif  // RELOG_POOL_BUFFER_POOL_H_

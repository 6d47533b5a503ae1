// SPDX-License-Identifier: Apache-2.0

#include "relog/pool/buffer_pool.h"

#include <algorithm>
#include <bit>
#include <new>

namespace relog {
namespace {

using pool_internal::BufferBlock;

std::size_t RoundUpPow2(std::size_t n) {
  return std::bit_ceil(std::max<std::size_t>(n, 1));
}

}  // namespace

BufferPool::BufferPool(Options options)
    : min_class_(RoundUpPow2(options.min_class)),
      max_class_(std::max(min_class_, RoundUpPow2(options.max_class))),
      min_shift_(std::countr_zero(min_class_)) {
  for (std::size_t size = min_class_; size <= max_class_; size *= 2) {
    BlockPool::Options po;
    po.factory = [size] {
      void* mem = ::operator new(sizeof(BufferBlock) + size);
      return new (mem) BufferBlock(size);
    };
    po.destroy = [](BufferBlock* b) {
      b->~BufferBlock();
      ::operator delete(b);
    };
    po.max_idle =
        std::max<std::size_t>(4, options.max_idle_bytes_per_class / size);
    po.per_thread_cache = std::clamp<std::size_t>(
        options.thread_cache_bytes_per_class / size, 2, 32);
    po.trim_period = options.trim_period;
    po.clock = options.clock;
    classes_.push_back(std::make_unique<BlockPool>(std::move(po)));
  }
}

BufferPool::~BufferPool() = default;

int BufferPool::ClassIndex(std::size_t n) const {
  if (n <= min_class_) return 0;
  if (n > max_class_) return -1;
  return std::countr_zero(RoundUpPow2(n)) - min_shift_;
}

std::size_t BufferPool::ClassSize(std::size_t n) const {
  const int index = ClassIndex(n);
  return index < 0 ? 0 : min_class_ << index;
}

BufferPool::Block BufferPool::Allocate(std::size_t n) {
  const int index = ClassIndex(n);
  if (index < 0) {
    oversize_.fetch_add(1, std::memory_order_relaxed);
    return Block{static_cast<char*>(::operator new(n)), n};
  }
  BufferBlock* block = classes_[index]->GetRaw();
  return Block{block->data(), block->capacity};
}

void BufferPool::Deallocate(char* data, std::size_t capacity) {
  if (capacity > max_class_) {
    ::operator delete(data);
    return;
  }
  classes_[ClassIndex(capacity)]->Put(BufferBlock::FromData(data));
}

BufferPool::Buffer BufferPool::Get(std::size_t n) {
  return Buffer(this, Allocate(n));
}

BufferPool::Stats BufferPool::GetStats() const {
  Stats s;
  for (const auto& c : classes_) s.pooled += c->GetStats();
  s.oversize = oversize_.load(std::memory_order_relaxed);
  return s;
}

PoolStats BufferPool::GetClassStats(std::size_t class_size) const {
  const int index = ClassIndex(class_size);
  if (index < 0) return PoolStats();
  return classes_[index]->GetStats();
}

void BufferPool::Trim() {
  for (auto& c : classes_) c->Trim();
}

void BufferPool::MaybeTrim() {
  for (auto& c : classes_) c->MaybeTrim();
}

void BufferPool::Buffer::Reserve(std::size_t n) {
  if (n <= block_.capacity) return;
  // Grow by at least 1.5x so appends stay amortised O(1).
  const std::size_t want = std::max(n, block_.capacity + block_.capacity / 2);
  Block bigger = pool_->Allocate(want);
  if (size_ > 0) std::memcpy(bigger.data, block_.data, size_);
  pool_->Deallocate(block_.data, block_.capacity);
  block_ = bigger;
}

}  // namespace relog

// SPDX-License-Identifier: Apache-2.0

#include "logger/entry.h"

#include <algorithm>
#include <cstring>
#include <new>

namespace relog {
namespace logger_internal {

void MessageBuffer::grow(std::size_t capacity) {
  // Grow by at least half again, so appends stay amortised O(1).
  const std::size_t want = std::max(capacity, this->capacity() * 3 / 2);
  BufferPool::Block block = pool_->Allocate(want);
  std::memcpy(block.data, data(), size());
  FreeHeap();
  set(block.data, block.capacity);
}

void MessageBuffer::FreeHeap() {
  if (!uses_inline()) pool_->Deallocate(data(), capacity());
}

void MessageBuffer::ShrinkIfOversize(char* inline_data) {
  if (capacity() > pool_->max_class()) {
    FreeHeap();
    set(inline_data, kInlineCapacity);
  }
}

}  // namespace logger_internal

bool Entry::IsReset() const {
  return holders_.load(std::memory_order_relaxed) == 0 &&
         level_ == Level::kTrace && message_.IsReset();
}

Entry* Entry::NewAligned(BufferPool* buffers) {
  void* p = ::operator new(sizeof(Entry), std::align_val_t{kEntryAlignment});
  return new (p) Entry(buffers);
}

void Entry::DeleteAligned(Entry* entry) {
  entry->~Entry();
  ::operator delete(entry, std::align_val_t{kEntryAlignment});
}

}  // namespace relog

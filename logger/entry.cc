// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/entry.h"

#include <algorithm>
#include <cstring>
#include <exception>
#include <new>
#include <string>

#include "fmt/format.h"
#include "relog/logger/quote.h"

namespace relog {
namespace logger_internal {

void MessageBuffer::Grow(std::size_t capacity) {
  // Grow by at least half again, so appends stay amortised O(1).
  const std::size_t want = std::max(capacity, this->capacity() * 3 / 2);
  BufferPool::Block block = pool_->Allocate(want);
  std::memcpy(block.data, data(), size());
  FreeHeap();
  SetStorage(block.data, block.capacity);
}

void MessageBuffer::FreeHeap() {
  if (!uses_inline()) pool_->Deallocate(data(), capacity());
}

void MessageBuffer::ShrinkIfOversize(char* inline_data) {
  if (capacity() > pool_->max_class()) {
    FreeHeap();
    SetStorage(inline_data, kInlineCapacity);
  }
}

}  // namespace logger_internal

bool Entry::IsReset() const {
  return holders_.load(std::memory_order_relaxed) == 0 &&
         level_ == Level::kTrace && !backtrace_ && !has_fields_ &&
         context_size_ == 0 &&
         format_state_.load(std::memory_order_relaxed) == kEager &&
         message_.IsReset();
}

Entry* Entry::NewAligned(BufferPool* buffers,
                         std::atomic<uint64_t>* format_errors) {
  void* p = ::operator new(sizeof(Entry), std::align_val_t{kEntryAlignment});
  return new (p) Entry(buffers, format_errors);
}

std::string_view Entry::DeferredMessage() const {
  uint8_t state = format_state_.load(std::memory_order_acquire);
  if (state == kEncoded &&
      format_state_.compare_exchange_strong(state, kFormatting,
                                            std::memory_order_acquire)) {
    // Formatted into a scratch buffer of this thread, not straight after
    // the arguments: appending may move the buffer the arguments are read
    // from.
    thread_local fmt::memory_buffer scratch;
    scratch.clear();
    try {
      decoder_(message_.data() + context_size_, format_, scratch, nullptr);
    } catch (...) {
      scratch.clear();
      if (format_errors_ != nullptr) {
        format_errors_->fetch_add(1, std::memory_order_relaxed);
      }
      const std::string what = CurrentExceptionText();
      fmt::format_to(fmt::appender(scratch), "[relog: format error: {}] {}",
                     what, std::string_view(format_.data(), format_.size()));
    }
    message_.append(scratch.data(), scratch.data() + scratch.size());
    // A huge message must not keep a huge scratch buffer on this thread.
    if (scratch.capacity() > 64 * 1024) scratch = fmt::memory_buffer();
    // store-release: publishes the text to the readers waiting below.
    format_state_.store(kFormatted, std::memory_order_release);
  } else {
    while (format_state_.load(std::memory_order_acquire) != kFormatted) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    }
  }
  const std::size_t start = context_size_ + split_;
  return std::string_view(message_.data() + start, message_.size() - start);
}

void Entry::AddContext(const logger_internal::ContextBlock* logger_context) {
  const logger_internal::ContextBlock& thread = logger_internal::tls_context;
  const auto add = [this](std::string_view bytes) {
    message_.append(bytes.data(), bytes.data() + bytes.size());
  };
  uint32_t dropped = thread.dropped();
  if (logger_context != nullptr) {
    add(logger_context->bytes());
    dropped += logger_context->dropped();
  }
  add(thread.bytes());
  if (dropped != 0) {
    char digits[16];
    const auto end = fmt::format_to_n(digits, sizeof(digits), "{}", dropped);
    logger_internal::FieldBlockWriter(message_).Field(
        "relog_dropped_fields", FieldType::kNumber,
        std::string_view(digits, end.size));
  }
  context_size_ = static_cast<uint16_t>(message_.size());
}

bool Entry::ForEachField(FieldVisitor& visitor) const {
  // A deferred entry's arguments stay put once its message is formatted
  // (formatting appends to the buffer, and may move it).
  const std::string_view text = message();
  ForEachContextField(visitor);
  if (!has_fields_) return true;
  try {
    if (format_state_.load(std::memory_order_relaxed) == kEager) {
      const std::size_t end = context_size_ + text.size();
      logger_internal::VisitFieldBlock(
          std::string_view(message_.data() + end, message_.size() - end),
          visitor);
    } else {
      fmt::memory_buffer unused;
      decoder_(message_.data() + context_size_, format_, unused, &visitor);
    }
  } catch (...) {
    return false;
  }
  return true;
}

void Entry::DeleteAligned(Entry* entry) {
  entry->~Entry();
  ::operator delete(entry, std::align_val_t{kEntryAlignment});
}

}  // namespace relog

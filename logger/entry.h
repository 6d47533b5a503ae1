// SPDX-License-Identifier: Apache-2.0
//
// logger/entry.h: relog::Entry, one log record, recycled through a Pool.
//
// A caller fills an Entry (metadata and the formatted message) and hands it
// to the sink threads as a pointer; nothing is copied. Every sink reads it
// through the accessors below and must not assume when the message was
// formatted. The last sink to finish with it gives it back to the pool.
//
// Entry is thread-compatible: a sink may read it only during Write() and must
// not keep a reference past it.

#ifndef RELOG_LOGGER_ENTRY_H_
#define RELOG_LOGGER_ENTRY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fmt/core.h"
#include "logger/level.h"
#include "pool/buffer_pool.h"

namespace relog {

// Where a log call is in the source; the strings are literals.
struct SourceLocation {
  const char* file = "";
  int line = 0;
  const char* function = "";
};

namespace logger_internal {

// An fmt output buffer with inline storage; when a message outgrows it, the
// memory comes from a BufferPool, and the grown capacity is kept across
// reuse (up to the pool's largest class). Thread-compatible.
class MessageBuffer final : public fmt::detail::buffer<char> {
 public:
  static constexpr std::size_t kInlineCapacity = 200;

  explicit MessageBuffer(BufferPool* pool) : pool_(pool) {
    set(inline_, kInlineCapacity);
  }
  MessageBuffer(const MessageBuffer&) = delete;
  MessageBuffer& operator=(const MessageBuffer&) = delete;
  ~MessageBuffer() { FreeHeap(); }

  // Empties the buffer. Keeps a grown heap block unless it is larger than
  // the pool's largest class (such a block would be pinned forever).
  void Reset();
  bool uses_inline() const { return data() == inline_; }

 protected:
  void grow(std::size_t capacity) override;

 private:
  void FreeHeap();

  BufferPool* pool_;
  char inline_[kInlineCapacity];
};

}  // namespace logger_internal

class Entry {
 public:
  explicit Entry(BufferPool* buffers) : message_(buffers) {}
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  // Wall-clock time of the call, nanoseconds since the Unix epoch.
  int64_t timestamp_ns() const { return timestamp_ns_; }
  Level level() const { return level_; }
  // The calling thread's kernel id (cached per thread).
  uint32_t thread_id() const { return thread_id_; }
  std::string_view logger_name() const { return logger_name_; }
  const SourceLocation& location() const { return location_; }
  std::string_view message() const {
    return std::string_view(message_.data(), message_.size());
  }

  // Pool contract.
  void Reset();
  bool IsReset() const;

  // Filled in by the front end (and by tests building entries by hand).
  void Set(int64_t timestamp_ns, Level level, uint32_t thread_id,
           std::string_view logger_name, const SourceLocation& location) {
    timestamp_ns_ = timestamp_ns;
    level_ = level;
    thread_id_ = thread_id;
    logger_name_ = logger_name;
    location_ = location;
  }
  fmt::detail::buffer<char>& mutable_message() { return message_; }

  // Sinks that still hold this entry; the last one returns it.
  std::atomic<int>& holders() { return holders_; }

 private:
  int64_t timestamp_ns_ = 0;
  uint32_t thread_id_ = 0;
  Level level_ = Level::kTrace;
  std::atomic<int> holders_{0};
  std::string_view logger_name_;
  SourceLocation location_;
  logger_internal::MessageBuffer message_;
};

}  // namespace relog

#endif  // RELOG_LOGGER_ENTRY_H_

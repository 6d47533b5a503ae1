// SPDX-License-Identifier: Apache-2.0
//
// logger/entry.h: relog::Entry, one log record, recycled through a Pool.
//
// A caller fills an Entry (metadata, and either the formatted message or,
// for a deferred call, the call's arguments encoded with a decoder that
// formats them) and hands it to the sink threads as a pointer; nothing is
// copied. Every sink reads it through the accessors below and must not
// assume when the message was formatted: a deferred entry's message is
// formatted by its first reader, once, whatever the number of sinks. The
// last sink to finish with it gives it back to the pool.
//
// Entry is thread-compatible, except message(), which several sink threads
// may call at once: a sink may read it only during Write() and must not keep
// a reference past it.

#ifndef RELOG_LOGGER_ENTRY_H_
#define RELOG_LOGGER_ENTRY_H_

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fmt/core.h"
#include "relog/logger/fields.h"
#include "relog/logger/fmt_buffer.h"
#include "relog/logger/level.h"
#include "relog/pool/buffer_pool.h"

namespace relog {

// Where a log call is in the source; the strings are literals.
struct SourceLocation {
  const char* file = "";
  int line = 0;
  const char* function = "";
};

namespace logger_internal {

// An fmt output buffer over inline storage that its Entry owns; when a
// message outgrows it, the memory comes from a BufferPool, and the grown
// capacity is kept across reuse (up to the pool's largest class).
// Thread-compatible.
//
// The inline storage is not a member so that the buffer's header can share
// the entry's first cache line with the fields a sink thread touches (see
// Entry). The inline capacity is not a power of two, so it is never a pool
// block's capacity: `capacity() == kInlineCapacity` tells where data lives.
class MessageBuffer final : public GrowableFmtBuffer<MessageBuffer> {
 public:
  static constexpr std::size_t kInlineCapacity = 180;

  MessageBuffer(BufferPool* pool, char* inline_data) : pool_(pool) {
    SetStorage(inline_data, kInlineCapacity);
  }
  MessageBuffer(const MessageBuffer&) = delete;
  MessageBuffer& operator=(const MessageBuffer&) = delete;
  ~MessageBuffer() { FreeHeap(); }

  // Empties the buffer. Keeps a grown heap block unless it is larger than
  // the pool's largest class (such a block would be pinned forever); then
  // goes back to `inline_data`.
  void Reset(char* inline_data) {
    clear();
    if (capacity() > kInlineCapacity) [[unlikely]] ShrinkIfOversize(inline_data);
  }
  bool uses_inline() const { return capacity() == kInlineCapacity; }
  // True when Reset() left nothing behind.
  bool IsReset() const {
    return size() == 0 && capacity() <= pool_->max_class();
  }

 private:
  friend class GrowableFmtBuffer<MessageBuffer>;
  void Grow(std::size_t capacity);
  void FreeHeap();
  void ShrinkIfOversize(char* inline_data);

  BufferPool* pool_;
};
static_assert(sizeof(MessageBuffer) == 40, "fmt's buffer header changed size");

}  // namespace logger_internal

class Entry {
 public:
  // Formats the arguments a deferred call encoded (`args`) with the call's
  // `format` into `out`; or, given `fields` (a call with a named format),
  // hands it the fields instead. One per call site (logger/deferred.h).
  using Decoder = void (*)(const char* args, fmt::string_view format,
                           logger_internal::FmtBuffer& out,
                           FieldVisitor* fields);

  // `format_errors`, when given, counts deferred messages whose formatting
  // threw (on the sink side).
  explicit Entry(BufferPool* buffers,
                 std::atomic<uint64_t>* format_errors = nullptr)
      : message_(buffers, inline_), format_errors_(format_errors) {}
  Entry(const Entry&) = delete;
  Entry& operator=(const Entry&) = delete;

  // Wall-clock time of the call, nanoseconds since the Unix epoch.
  int64_t timestamp_ns() const { return timestamp_ns_; }
  Level level() const { return level_; }
  // The calling thread's kernel id (cached per thread).
  uint32_t thread_id() const { return thread_id_; }
  std::string_view logger_name() const { return logger_name_; }
  const SourceLocation& location() const { return location_; }
  // Entry::message(): the formatted message. For a deferred entry, the
  // first call formats it from the encoded arguments (on the calling sink
  // thread); calls from other sink threads meanwhile wait for it.
  std::string_view message() const {
    if (format_state_.load(std::memory_order_acquire) == kEager) [[likely]] {
      return std::string_view(
          message_.data() + context_size_,
          has_fields_ ? split_ : message_.size() - context_size_);
    }
    return DeferredMessage();
  }
  // Entry::has_fields(): whether the entry has fields: a context
  // (Logger::With(), ScopedFields) or named arguments (logger/fields.h).
  bool has_fields() const { return has_fields_ || context_size_ != 0; }
  bool has_context() const { return context_size_ != 0; }
  // Entry::ForEachField(): hands each field to `visitor`: the context's,
  // then the named arguments in the format's order (formatting the message
  // first if it is deferred). A value whose formatting throws ends the
  // visit: false.
  bool ForEachField(FieldVisitor& visitor) const;
  // Entry::ForEachContextField(): the context's fields only.
  void ForEachContextField(FieldVisitor& visitor) const {
    logger_internal::VisitFieldBlock(
        std::string_view(message_.data(), context_size_), visitor);
  }
  // True for an entry kept for a backtrace and written by a dump (see
  // LoggerOptions::backtrace_size): formats mark it.
  bool backtrace() const { return backtrace_; }
  void set_backtrace(bool backtrace) { backtrace_ = backtrace; }
  // True for an entry whose arguments were encoded by the caller.
  bool deferred() const {
    return format_state_.load(std::memory_order_relaxed) != kEager;
  }

  // Pool contract. Reset() empties the message and clears the holder count,
  // the level and the deferred state; the other metadata is overwritten by
  // Set() (and SetDeferred()) before every use (Logger always calls them
  // first), so Reset() leaves it alone rather than dirty a second cache
  // line on the sink thread.
  void Reset() {
    holders_.store(0, std::memory_order_relaxed);
    level_ = Level::kTrace;
    backtrace_ = false;
    has_fields_ = false;
    context_size_ = 0;
    format_state_.store(kEager, std::memory_order_relaxed);
    message_.Reset(inline_);
  }
  bool IsReset() const;

  // An entry on the heap at a kEntryAlignment boundary, as the logger's
  // pool makes them (its factory and destroy), and its disposal.
  static Entry* NewAligned(BufferPool* buffers,
                           std::atomic<uint64_t>* format_errors = nullptr);
  static void DeleteAligned(Entry* entry);

  // Filled in by the front end (and by tests building entries by hand).
  void Set(int64_t timestamp_ns, Level level, uint32_t thread_id,
           std::string_view logger_name, const SourceLocation& location) {
    timestamp_ns_ = timestamp_ns;
    level_ = level;
    thread_id_ = thread_id;
    logger_name_ = logger_name;
    location_ = location;
  }
  logger_internal::FmtBuffer& mutable_message() { return message_; }
  // Entry::AddContext(): right after Set(), before anything is written to
  // mutable_message(): the context of the calling logger (`logger_context`,
  // may be null) and of the calling thread (ScopedFields) go first in the
  // buffer; the message, or the encoded arguments, follow.
  void AddContext(const logger_internal::ContextBlock* logger_context);
  // The bytes of context at the start of mutable_message().
  std::size_t context_size() const { return context_size_; }
  // Entry::SetDeferred(): the caller encoded `args_size` bytes of arguments
  // at the start of mutable_message(); `decoder` formats them with `format`
  // (a string literal) when the message is first read. The push that hands
  // the entry on publishes this.
  void SetDeferred(Decoder decoder, uint32_t args_size,
                   fmt::string_view format, bool has_fields = false) {
    decoder_ = decoder;
    split_ = args_size;
    format_ = format;
    has_fields_ = has_fields;
    format_state_.store(kEncoded, std::memory_order_relaxed);
  }
  // Entry::SetFieldsAt(): for a message formatted by the caller, the
  // `message_size` bytes after the context are the message, the rest the
  // named arguments' fields (logger_internal::FieldBlockWriter).
  // ClearFields(): no named fields.
  void SetFieldsAt(uint32_t message_size) {
    split_ = message_size;
    has_fields_ = true;
  }
  void ClearFields() { has_fields_ = false; }

  // Sinks that still hold this entry; the last one returns it.
  std::atomic<int>& holders() { return holders_; }

 private:
  enum FormatState : uint8_t {
    kEager,       // the message is formatted (by the caller)
    kEncoded,     // deferred, not formatted yet
    kFormatting,  // a reader is formatting it
    kFormatted,   // deferred and formatted: after the arguments
  };

  // message() of a deferred entry: formats it if no reader has yet.
  std::string_view DeferredMessage() const;

  // Line 0: the message buffer's header and everything a sink thread
  // writes or needs to route the entry (Reset() touches nothing else), so
  // an entry costs the sink thread, and the next caller, one line transfer
  // beyond the bytes a sink actually reads.
  mutable logger_internal::MessageBuffer message_;
  std::atomic<int> holders_{0};
  Level level_ = Level::kTrace;
  mutable std::atomic<uint8_t> format_state_{kEager};
  bool backtrace_ = false;
  bool has_fields_ = false;
  uint32_t thread_id_ = 0;
  // The bytes of context at the start of message_ (AddContext()).
  uint16_t context_size_ = 0;
  int64_t timestamp_ns_ = 0;
  // Line 1 on: set by every caller before use, read only by formatters.
  std::string_view logger_name_;
  SourceLocation location_;
  // Deferred entries only.
  Decoder decoder_ = nullptr;
  fmt::string_view format_;
  std::atomic<uint64_t>* const format_errors_;
  // After the context: deferred, the bytes of encoded arguments (the
  // message follows once formatted); formatted by the caller, with named
  // fields, the message's bytes (the fields follow).
  uint32_t split_ = 0;
  char inline_[logger_internal::MessageBuffer::kInlineCapacity];
};

// What text formats write before the message of an entry a backtrace kept
// and a dump wrote (Entry::backtrace()); JSON has "backtrace":true.
inline constexpr std::string_view kBacktraceMark = "[backtrace] ";

// Pooled entries are allocated on a cache-line boundary (see Logger), so an
// entry is exactly five lines and line 0 is the one described above. The
// type itself is not over-aligned, so entries built on the stack (tests,
// the drop notice) need nothing special.
inline constexpr std::size_t kEntryAlignment = 64;
static_assert(sizeof(Entry) == 320, "an Entry is five cache lines");

}  // namespace relog

#endif  // RELOG_LOGGER_ENTRY_H_

// SPDX-License-Identifier: Apache-2.0
//
// sinks/formatter.h: turns an Entry into bytes, and the default text format.
//
// A Formatter belongs to one sink and runs on that sink's thread: it is
// thread-compatible, and may cache (the timestamp text of the current
// second, say).
//
// The default text format:
//   2026-11-23 15:48:26.123456 INFO  app [12345] file.cc:42] message

#ifndef RELOG_SINKS_FORMATTER_H_
#define RELOG_SINKS_FORMATTER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fmt/format.h"
#include "relog/logger/entry.h"

namespace relog {

class Formatter {
 public:
  virtual ~Formatter() = default;
  // Formatter::Format(): appends one record, newline included, to `out`.
  virtual void Format(const Entry& entry, fmt::memory_buffer& out) = 0;
};

// Writes "YYYY-MM-DD HH:MM:SS" (UTC when `utc`, else local time) for the
// second of `timestamp_ns`, caching the text per second. Thread-compatible.
//
// The text's layout, for formatters that take pieces of it: date at
// [kDateOffset, +10), time of day at [kTimeOffset, +8).
class SecondsCache {
 public:
  static constexpr std::size_t kSize = 19;
  static constexpr std::size_t kDateOffset = 0;
  static constexpr std::size_t kTimeOffset = 11;

  explicit SecondsCache(bool utc = false) : utc_(utc) {}
  // SecondsCache::Get(): the kSize characters for the second of
  // `timestamp_ns` (not NUL-terminated for callers' purposes).
  const char* Get(int64_t timestamp_ns);
  bool utc() const { return utc_; }

 private:
  bool utc_;
  int64_t second_ = INT64_MIN;
  char text_[32] = {};
};

// The default line format above; local time, microseconds. Control
// characters in the message are escaped (\n, \t, \xNN) so a message cannot
// forge a second line, unless `escape_control` is false. Its output is byte
// for byte that of PatternFormatter with kDefaultPattern (see
// sinks/pattern_formatter.h; a test checks it), written by a fixed code path.
class TextFormatter final : public Formatter {
 public:
  explicit TextFormatter(bool escape_control = true)
      : escape_control_(escape_control) {}
  void Format(const Entry& entry, fmt::memory_buffer& out) override;

 private:
  bool escape_control_;
  SecondsCache seconds_;
};

// AppendEscapedText(): appends `text`, with control characters (and DEL)
// written as \n, \r, \t, \\ is left alone, others as \xNN.
void AppendEscapedText(std::string_view text, fmt::memory_buffer& out);

// AppendContextText(): appends the entry's context fields (Logger::With(),
// ScopedFields) as space-separated `name=value` pairs, logfmt style: a value
// that is empty or holds a space, '"', '=', '\\' or a control character is
// quoted, with '"' and '\\' escaped by a backslash and control characters
// as AppendEscapedText() writes them. With `leading_space`, a space before
// the first pair. Nothing for an entry without context.
void AppendContextText(const Entry& entry, fmt::memory_buffer& out,
                       bool leading_space);

// SubsecondNanos(): the nanoseconds within the second of `timestamp_ns`
// (0..999999999, also for times before the epoch).
inline int64_t SubsecondNanos(int64_t timestamp_ns) {
  const int64_t ns = timestamp_ns % 1000000000;
  return ns < 0 ? ns + 1000000000 : ns;
}

// AppendZeroPadded(): appends `value` in decimal with at least `width`
// digits (leading zeros); `width` is at most 9.
void AppendZeroPadded(uint32_t value, int width, fmt::memory_buffer& out);

// The file name without its directories.
std::string_view Basename(std::string_view path);

}  // namespace relog

#endif  // RELOG_SINKS_FORMATTER_H_

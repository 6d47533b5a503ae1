// SPDX-License-Identifier: Apache-2.0
//
// sinks/pattern_formatter.h: relog::PatternFormatter, a text format given by
// a pattern such as "%D %T.%e %L %n %v".
//
// The pattern is compiled once, by Create(), into a list of steps (literal
// text, or one field of the entry); Format() runs the steps and parses
// nothing. The date and time text is cached per second (SecondsCache).
// Format() appends '\n' after the pattern's text, so a pattern does not end
// with one (a literal newline inside the pattern is copied like any text).
//
//   flag | writes                                    | example
//   -----+-------------------------------------------+----------------------
//   %D   | date, YYYY-MM-DD                          | 2026-11-23
//   %T   | time of day, HH:MM:SS                     | 15:48:26
//   %Y   | year, 4 digits                            | 2026
//   %m   | month, 2 digits                           | 11
//   %d   | day of the month, 2 digits                | 23
//   %H   | hour, 2 digits (00-23)                    | 15
//   %M   | minute, 2 digits                          | 48
//   %S   | second, 2 digits                          | 26
//   %e   | milliseconds of the second, 3 digits      | 123
//   %f   | microseconds of the second, 6 digits      | 123456
//   %F   | nanoseconds of the second, 9 digits       | 123456789
//   %l   | level name                                | INFO
//   %L   | level name padded to 5 characters         | "INFO "
//   %n   | logger name                               | app
//   %t   | thread id (kernel tid)                    | 12345
//   %N   | thread name (logger/thread_name.h; the id | io-3
//        | when it is not known), escaped like %v    |
//   %s   | source file, base name                    | main.cc
//   %g   | source file, full path as compiled        | src/main.cc
//   %#   | source line                               | 42
//   %!   | function                                  | Serve
//   %v   | the message (escaped, see below)          | user 7 logged in
//   %K   | context fields (Logger::With(),           | service=api rid=7
//        | ScopedFields) as name=value, logfmt style |
//        | (sinks/formatter.h); nothing without      |
//   %%   | a literal '%'                             | %
//
// Any other character after '%', and a '%' that ends the pattern, make
// Create() fail with InvalidArgument naming the flag and its position.
//
// Times are local unless PatternOptions::utc. With escape_control (the
// default) control characters in the message are escaped as
// AppendEscapedText() does, so a message cannot forge a second record.
//
// Thread-compatible: a formatter belongs to one sink and runs on its thread.

#ifndef RELOG_SINKS_PATTERN_FORMATTER_H_
#define RELOG_SINKS_PATTERN_FORMATTER_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "relog/logger/entry.h"
#include "relog/sinks/formatter.h"

namespace relog {

// The pattern of TextFormatter, the default format: PatternFormatter with it
// writes byte for byte what TextFormatter writes.
inline constexpr std::string_view kDefaultPattern =
    "%D %T.%f %L %n [%t] %s:%#] %v";

struct PatternOptions {
  // Times in UTC instead of local time.
  bool utc = false;
  // Escape control characters in the message (%v).
  bool escape_control = true;
};

class PatternFormatter final : public Formatter {
 public:
  // PatternFormatter::Create(): compiles `pattern`. An unknown flag or a
  // trailing '%' is an InvalidArgument error naming it and its position.
  static absl::StatusOr<std::unique_ptr<PatternFormatter>> Create(
      std::string_view pattern, PatternOptions options = {});

  // PatternFormatter::Format(): sink thread. Appends one record and '\n'.
  void Format(const Entry& entry, fmt::memory_buffer& out) override;

  const std::string& pattern() const { return pattern_; }

 private:
  enum class Field : uint8_t {
    kLiteral,
    kDate,
    kTime,
    kYear,
    kMonth,
    kDay,
    kHour,
    kMinute,
    kSecond,
    kMillis,
    kMicros,
    kNanos,
    kLevel,
    kLevelPadded,
    kLogger,
    kThread,
    kThreadName,
    kContext,
    kFileBase,
    kFilePath,
    kLine,
    kFunction,
    kMessage,
  };
  struct Step {
    Field field;
    // kLiteral: [begin, begin + size) of literals_.
    uint32_t begin = 0;
    uint32_t size = 0;
  };

  PatternFormatter(std::string pattern, PatternOptions options);

  const std::string pattern_;
  const PatternOptions options_;
  std::vector<Step> steps_;
  std::string literals_;
  SecondsCache seconds_;
};

}  // namespace relog

#endif  // RELOG_SINKS_PATTERN_FORMATTER_H_

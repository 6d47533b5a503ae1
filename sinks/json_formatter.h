// SPDX-License-Identifier: Apache-2.0
//
// sinks/json_formatter.h: relog::JsonFormatter writes JSON lines, one object
// per record:
//
//   {"ts":"2026-11-23T15:48:26.123456Z","level":"INFO","logger":"app",
//    "thread":12345,"thread_name":"io-3","file":"a.cc","line":42,
//    "msg":"..."}
//
// (on one line; "thread_name" only when the thread's name is known, see
// logger/thread_name.h), then the entry's fields after "msg", each a key of
// its own: `"order_id":42,"user":"bob"` (logger/fields.h). "ts" is RFC 3339 in UTC with microseconds; "file" is the
// source file's base name. Strings are escaped per RFC 8259: '"' and '\' with
// a backslash, control characters as \n \r \t \b \f or \u00XX (DEL too), and
// bytes that are not valid UTF-8 (stray continuation bytes, overlong forms,
// surrogates, code points above U+10FFFF, truncated sequences) are replaced
// by U+FFFD, one per maximal invalid subpart, so every line is valid JSON
// whatever the message holds. Valid multi-byte characters are kept as is.
//
// Thread-compatible: a formatter belongs to one sink and runs on its thread.

#ifndef RELOG_SINKS_JSON_FORMATTER_H_
#define RELOG_SINKS_JSON_FORMATTER_H_

#include <string_view>

#include "fmt/format.h"
#include "relog/logger/entry.h"
#include "relog/sinks/formatter.h"

namespace relog {

class JsonFormatter final : public Formatter {
 public:
  JsonFormatter() : seconds_(/*utc=*/true) {}

  // JsonFormatter::Format(): sink thread. Appends one object and '\n'.
  void Format(const Entry& entry, fmt::memory_buffer& out) override;

 private:
  SecondsCache seconds_;
};

// AppendJsonString(): appends `text` as a JSON string, quotes included,
// escaped and with invalid UTF-8 replaced as described above.
void AppendJsonString(std::string_view text, fmt::memory_buffer& out);

}  // namespace relog

#endif  // RELOG_SINKS_JSON_FORMATTER_H_

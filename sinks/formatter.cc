// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/formatter.h"

#include <time.h>

#include <cstring>

#include "relog/logger/level.h"
#include "relog/logger/quote.h"

namespace relog {

const char* SecondsCache::Get(int64_t timestamp_ns) {
  int64_t second = timestamp_ns / 1000000000;
  if (timestamp_ns < 0 && timestamp_ns % 1000000000 != 0) --second;
  if (second != second_) {
    second_ = second;
    const time_t t = static_cast<time_t>(second);
    struct tm tm;
    if (utc_) {
      gmtime_r(&t, &tm);
    } else {
      localtime_r(&t, &tm);
    }
    std::strftime(text_, sizeof(text_), "%Y-%m-%d %H:%M:%S", &tm);
  }
  return text_;
}

void AppendZeroPadded(uint32_t value, int width, fmt::memory_buffer& out) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0 && n < 10);
  for (int i = n; i < width; ++i) out.push_back('0');
  while (n > 0) out.push_back(digits[--n]);
}

std::string_view Basename(std::string_view path) {
  return path.substr(SplitPath(path).dir.size());
}

void AppendEscapedText(std::string_view text, fmt::memory_buffer& out) {
  AppendEscapedControls(text, out);
}

namespace {

// Writes `value` as exactly `width` digits (zero-padded; `value` must fit).
char* WriteDigits(char* p, uint32_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    p[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return p + width;
}

char* WriteText(char* p, std::string_view text) {
  std::memcpy(p, text.data(), text.size());
  return p + text.size();
}

bool HasControl(std::string_view text) {
  for (const char c : text) {
    if (IsControl(c)) return true;
  }
  return false;
}

}  // namespace

void TextFormatter::Format(const Entry& entry, fmt::memory_buffer& out) {
  // Written straight into reserved space rather than through a format
  // string or per-piece appends: this runs once per entry on the sink
  // thread, and is most of that thread's work.
  static constexpr std::string_view kPaddedLevel[] = {
      "TRACE", "DEBUG", "INFO ", "WARN ", "ERROR", "FATAL", "OFF  "};
  const int64_t ts = entry.timestamp_ns();
  const std::string_view message = entry.message();
  const bool escape = escape_control_ && HasControl(message);
  const std::string_view file = Basename(entry.location().file);
  const fmt::format_int thread(entry.thread_id());
  const fmt::format_int line(entry.location().line);
  const auto level_index = static_cast<std::size_t>(entry.level());
  const std::string_view level = level_index < std::size(kPaddedLevel)
                                     ? kPaddedLevel[level_index]
                                     : LevelName(entry.level());
  // "date time.micros LEVEL name [thread] file:line] " + message + "\n"
  // Empty, but never null: WriteText() copies it with memcpy.
  const std::string_view mark = kBacktraceMark.substr(
      0, entry.backtrace() ? kBacktraceMark.size() : 0);
  const std::size_t head = SecondsCache::kSize + 1 + 6 + 1 + level.size() +
                           1 + entry.logger_name().size() + 2 +
                           thread.size() + 2 + file.size() + 1 + line.size() +
                           2 + mark.size();
  const bool context = entry.has_context();
  const std::size_t start = out.size();
  out.resize(start + head +
             (escape ? 0 : message.size() + (context ? 0 : 1)));
  char* p = out.data() + start;
  p = WriteText(p, std::string_view(seconds_.Get(ts), SecondsCache::kSize));
  *p++ = '.';
  p = WriteDigits(p, static_cast<uint32_t>(SubsecondNanos(ts) / 1000), 6);
  *p++ = ' ';
  p = WriteText(p, level);
  *p++ = ' ';
  p = WriteText(p, entry.logger_name());
  p = WriteText(p, " [");
  p = WriteText(p, std::string_view(thread.data(), thread.size()));
  p = WriteText(p, "] ");
  p = WriteText(p, file);
  *p++ = ':';
  p = WriteText(p, std::string_view(line.data(), line.size()));
  p = WriteText(p, "] ");
  p = WriteText(p, mark);
  if (!escape) {
    p = WriteText(p, message);
    if (!context) {
      *p = '\n';
      return;
    }
  } else {
    AppendEscapedText(message, out);
  }
  if (context) AppendContextText(entry, out, /*leading_space=*/true);
  out.push_back('\n');
}

namespace {

// Writes context fields as `name=value` pairs, logfmt style.
class ContextText final : public FieldVisitor {
 public:
  ContextText(fmt::memory_buffer& out, bool leading_space)
      : out_(out), space_(leading_space) {}
  void Field(std::string_view name, FieldType /*type*/,
             std::string_view value) override {
    if (space_) out_.push_back(' ');
    space_ = true;
    out_.append(name);
    out_.push_back('=');
    bool quote = value.empty();
    for (const char c : value) {
      if (c == ' ' || c == '=' || Special(c)) {
        quote = true;
        break;
      }
    }
    if (!quote) {
      out_.append(value);
      return;
    }
    out_.push_back('"');
    AppendEscaped(value, out_, Special, [](char c, fmt::memory_buffer& out) {
      if (IsControl(c)) return AppendControlEscape(c, out);
      out.push_back('\\');
      out.push_back(c);
    });
    out_.push_back('"');
  }

 private:
  // Bytes a quoted value escapes.
  static bool Special(char c) { return c == '"' || c == '\\' || IsControl(c); }

  fmt::memory_buffer& out_;
  bool space_;
};

}  // namespace

void AppendContextText(const Entry& entry, fmt::memory_buffer& out,
                       bool leading_space) {
  ContextText text(out, leading_space);
  entry.ForEachContextField(text);
}

}  // namespace relog

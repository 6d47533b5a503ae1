// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/json_formatter.h"

#include <cstddef>
#include <cstdint>

#include "relog/logger/level.h"
#include "relog/logger/thread_name.h"

namespace relog {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The length of the valid UTF-8 sequence starting at text[i], or 0 when it
// is invalid; then `*bad` is the length of its maximal invalid subpart (the
// lead byte and the continuation bytes that could still have been valid),
// which one U+FFFD replaces (Unicode 15, section 3.9, "U+FFFD Substitution
// of Maximal Subparts").
std::size_t Utf8SequenceLength(std::string_view text, std::size_t i,
                               std::size_t* bad) {
  const auto byte = [&](std::size_t k) {
    return static_cast<unsigned char>(text[k]);
  };
  const unsigned char lead = byte(i);
  std::size_t length;
  // The range of the second byte; later bytes are always 0x80..0xBF.
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;   // overlong below U+0800
    if (lead == 0xED) high = 0x9F;  // surrogates U+D800..U+DFFF
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;   // overlong below U+10000
    if (lead == 0xF4) high = 0x8F;  // above U+10FFFF
  } else {
    // 0x80..0xC1 (continuation or overlong 2-byte lead), 0xF5..0xFF.
    *bad = 1;
    return 0;
  }
  for (std::size_t k = 1; k < length; ++k) {
    if (i + k >= text.size()) {
      *bad = k;
      return 0;
    }
    const unsigned char c = byte(i + k);
    const bool ok = k == 1 ? (c >= low && c <= high) : (c >= 0x80 && c <= 0xBF);
    if (!ok) {
      *bad = k;
      return 0;
    }
  }
  return length;
}

}  // namespace

void AppendJsonString(std::string_view text, fmt::memory_buffer& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t start = 0;  // first byte not yet copied
  std::size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      std::size_t bad = 0;
      const std::size_t n = Utf8SequenceLength(text, i, &bad);
      if (n != 0) {
        i += n;
        continue;
      }
      out.append(text.data() + start, text.data() + i);
      out.append(kReplacement);
      i += bad;
      start = i;
      continue;
    }
    out.append(text.data() + start, text.data() + i);
    switch (c) {
      case '"':
        out.append(std::string_view("\\\""));
        break;
      case '\\':
        out.append(std::string_view("\\\\"));
        break;
      case '\n':
        out.append(std::string_view("\\n"));
        break;
      case '\r':
        out.append(std::string_view("\\r"));
        break;
      case '\t':
        out.append(std::string_view("\\t"));
        break;
      case '\b':
        out.append(std::string_view("\\b"));
        break;
      case '\f':
        out.append(std::string_view("\\f"));
        break;
      default: {
        const char escape[6] = {'\\', 'u',          '0',
                                '0',  kHex[c >> 4], kHex[c & 0xF]};
        out.append(escape, escape + 6);
      }
    }
    ++i;
    start = i;
  }
  out.append(text.data() + start, text.data() + text.size());
  out.push_back('"');
}

namespace {

// Writes each field as `,"name":value`.
class JsonFields final : public FieldVisitor {
 public:
  explicit JsonFields(fmt::memory_buffer& out) : out_(out) {}
  void Field(std::string_view name, FieldType type,
             std::string_view value) override {
    out_.push_back(',');
    AppendJsonString(name, out_);
    out_.push_back(':');
    if (type == FieldType::kString) {
      AppendJsonString(value, out_);
    } else {
      out_.append(value);
    }
  }

 private:
  fmt::memory_buffer& out_;
};

}  // namespace

void JsonFormatter::Format(const Entry& entry, fmt::memory_buffer& out) {
  const int64_t ts = entry.timestamp_ns();
  const char* clock = seconds_.Get(ts);
  out.append(std::string_view("{\"ts\":\""));
  out.append(std::string_view(clock + SecondsCache::kDateOffset, 10));
  out.push_back('T');
  out.append(std::string_view(clock + SecondsCache::kTimeOffset, 8));
  out.push_back('.');
  AppendZeroPadded(static_cast<uint32_t>(SubsecondNanos(ts) / 1000), 6, out);
  out.append(std::string_view("Z\",\"level\":\""));
  out.append(LevelName(entry.level()));
  out.append(std::string_view("\",\"logger\":"));
  AppendJsonString(entry.logger_name(), out);
  out.append(std::string_view(",\"thread\":"));
  out.append(fmt::format_int(entry.thread_id()));
  char thread_name[kMaxThreadName];
  if (const std::size_t n =
          logger_internal::ThreadNameOf(entry.thread_id(), thread_name);
      n > 0) {
    out.append(std::string_view(",\"thread_name\":"));
    AppendJsonString(std::string_view(thread_name, n), out);
  }
  out.append(std::string_view(",\"file\":"));
  AppendJsonString(Basename(entry.location().file), out);
  out.append(std::string_view(",\"line\":"));
  out.append(fmt::format_int(entry.location().line));
  if (entry.backtrace()) out.append(std::string_view(",\"backtrace\":true"));
  out.append(std::string_view(",\"msg\":"));
  AppendJsonString(entry.message(), out);
  if (entry.has_fields()) {
    JsonFields fields(out);
    entry.ForEachField(fields);
  }
  out.append(std::string_view("}\n"));
}

}  // namespace relog

// SPDX-License-Identifier: Apache-2.0
//
// logger/fields.h: named placeholders, which make a call's arguments fields.
//
// Example:
//   RELOG_INFO(log, "order {order_id} placed by {user} in {ms:.1f} ms",
//              id, user, ms);
//
// The message reads as with `{}` placeholders ("order 42 placed by bob in
// 3.2 ms"); each named argument is also a field of the entry, which JSON
// writes as a key of its own (numbers as numbers, bools as booleans, other
// values as strings) and syslog as RFC 5424 structured data. A field's value
// is the argument itself, not the text its placeholder's spec makes of it
// (3.21456, not 3.2).
//
// Checked at compile time, as fmt checks formats: the placeholder count
// against the arguments, each spec against its argument's type; and for a
// format with a named placeholder, that each name is an identifier of at
// most 32 characters, used once, and not one of the keys relog's JSON
// writes itself (ts, level, logger, thread, thread_name, file, line,
// backtrace, msg). A named format may mix `{}` with names (each placeholder
// takes the next argument) but not explicit indices (`{0}`) or nested
// placeholders in a spec (`{ms:.{}f}`), and is at most 1,024 characters.
//
// Everything here is thread-safe (pure functions over the call's arguments
// and the entry's bytes).

#ifndef RELOG_LOGGER_FIELDS_H_
#define RELOG_LOGGER_FIELDS_H_

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <string>
#include <string_view>
#include <type_traits>

#include "fmt/core.h"
#include "relog/logger/fmt_buffer.h"

namespace relog {

// How a field's value is written: a JSON string, a JSON number (the text is
// a valid one), or true/false.
enum class FieldType : uint8_t { kString, kNumber, kBool };

// Receives an entry's fields (Entry::ForEachField()).
class FieldVisitor {
 public:
  virtual void Field(std::string_view name, FieldType type,
                     std::string_view value) = 0;

 protected:
  ~FieldVisitor() = default;
};

namespace logger_internal {

// Longest named format, and field name.
inline constexpr std::size_t kMaxNamedFormat = 1024;
inline constexpr std::size_t kMaxFieldName = 32;

// One replacement field of a format: its argument id (a name, an index or
// empty) and whether its spec holds a nested replacement field.
struct Placeholder {
  std::string_view id;
  std::string_view spec;  // after the ':' (empty without one)
  bool nested = false;
};

constexpr bool IsIdentifierStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
constexpr bool IsIdentifierChar(char c) {
  return IsIdentifierStart(c) || (c >= '0' && c <= '9');
}

// NextPlaceholder(): the next replacement field of `format` at or after
// `pos` (which it moves past it); false when there is none. "{{" is text.
constexpr bool NextPlaceholder(std::string_view format, std::size_t& pos,
                               Placeholder& out) {
  const std::size_t n = format.size();
  for (; pos < n; ++pos) {
    if (format[pos] != '{') continue;
    if (pos + 1 < n && format[pos + 1] == '{') {
      ++pos;
      continue;
    }
    std::size_t end = pos + 1;
    int depth = 1;
    bool nested = false;
    for (; end < n; ++end) {
      if (format[end] == '{') {
        ++depth;
        nested = true;
      } else if (format[end] == '}' && --depth == 0) {
        break;
      }
    }
    const std::string_view body = format.substr(pos + 1, end - pos - 1);
    const std::size_t colon = body.find(':');
    out.id = body.substr(0, colon);
    out.spec = colon == body.npos ? std::string_view() : body.substr(colon + 1);
    out.nested = nested;
    pos = end < n ? end + 1 : n;
    return true;
  }
  return false;
}

// The name of a placeholder, or empty for `{}` and `{0}`.
constexpr std::string_view NameOf(const Placeholder& p) {
  return !p.id.empty() && IsIdentifierStart(p.id[0]) ? p.id
                                                     : std::string_view();
}

// HasNames(): whether `format` has a placeholder that starts like a name
// (and so is a named format, checked by CheckNamedFormat()).
constexpr bool HasNames(std::string_view format) {
  std::size_t pos = 0;
  Placeholder p;
  while (NextPlaceholder(format, pos, p)) {
    if (!p.id.empty() && !(p.id[0] >= '0' && p.id[0] <= '9')) return true;
  }
  return false;
}

enum class NamedFormatError : uint8_t {
  kNone,
  kTooLong,
  kNotAnIdentifier,
  kNameTooLong,
  kNamedTwice,
  kReservedName,
  kIndexed,
  kNested,
};

constexpr bool IsReservedFieldName(std::string_view name) {
  for (const std::string_view key :
       {"ts", "level", "logger", "thread", "thread_name", "file", "line",
        "backtrace", "msg"}) {
    if (name == key) return true;
  }
  return false;
}

// CheckFieldName(): what is wrong with `name` as a field name (see the
// top): an identifier of at most kMaxFieldName characters that is not one
// of relog's own JSON keys.
constexpr NamedFormatError CheckFieldName(std::string_view name) {
  if (name.empty() || !IsIdentifierStart(name[0])) {
    return NamedFormatError::kNotAnIdentifier;
  }
  for (const char c : name) {
    if (!IsIdentifierChar(c)) return NamedFormatError::kNotAnIdentifier;
  }
  if (name.size() > kMaxFieldName) return NamedFormatError::kNameTooLong;
  if (IsReservedFieldName(name)) return NamedFormatError::kReservedName;
  return NamedFormatError::kNone;
}

// CheckNamedFormat(): what is wrong with a named format (see the top).
constexpr NamedFormatError CheckNamedFormat(std::string_view format) {
  if (format.size() > kMaxNamedFormat) return NamedFormatError::kTooLong;
  std::size_t pos = 0;
  Placeholder p;
  while (NextPlaceholder(format, pos, p)) {
    if (p.nested) return NamedFormatError::kNested;
    if (p.id.empty()) continue;
    if (p.id[0] >= '0' && p.id[0] <= '9') return NamedFormatError::kIndexed;
    if (const NamedFormatError e = CheckFieldName(p.id);
        e != NamedFormatError::kNone) {
      return e;
    }
    // The placeholders before this one end before it does.
    std::size_t scan = 0;
    Placeholder earlier;
    while (NextPlaceholder(format, scan, earlier) && scan < pos) {
      if (earlier.id == p.id) return NamedFormatError::kNamedTwice;
    }
  }
  return NamedFormatError::kNone;
}

// StripNames(): `format` with the names taken out of its placeholders
// ("{user}" -> "{}", "{ms:.1f}" -> "{:.1f}") into `out`, which has room
// for format.size() characters; returns the length.
constexpr std::size_t StripNames(std::string_view format, char* out) {
  std::size_t n = 0;
  std::size_t copied = 0;
  std::size_t pos = 0;
  Placeholder p;
  while (NextPlaceholder(format, pos, p)) {
    // Copy up to the id, skip the id, go on from after it.
    const std::size_t id_start =
        static_cast<std::size_t>(p.id.data() - format.data());
    for (std::size_t i = copied; i < id_start; ++i) out[n++] = format[i];
    copied = id_start + p.id.size();
  }
  for (std::size_t i = copied; i < format.size(); ++i) out[n++] = format[i];
  return n;
}

// Called at compile time for a bad named format: the compiler's error
// names the function, which says what is wrong.
void field_name_is_not_an_identifier();
void field_name_is_longer_than_32_characters();
void field_name_is_used_twice_in_the_format();
void field_name_is_a_key_relog_json_writes_itself();
void named_format_has_an_explicit_argument_index();
void named_format_has_a_nested_placeholder();
void named_format_is_longer_than_1024_characters();

consteval void FailNamedFormat(NamedFormatError error) {
  switch (error) {
    case NamedFormatError::kNone:
      return;
    case NamedFormatError::kTooLong:
      named_format_is_longer_than_1024_characters();
      return;
    case NamedFormatError::kNotAnIdentifier:
      field_name_is_not_an_identifier();
      return;
    case NamedFormatError::kNameTooLong:
      field_name_is_longer_than_32_characters();
      return;
    case NamedFormatError::kNamedTwice:
      field_name_is_used_twice_in_the_format();
      return;
    case NamedFormatError::kReservedName:
      field_name_is_a_key_relog_json_writes_itself();
      return;
    case NamedFormatError::kIndexed:
      named_format_has_an_explicit_argument_index();
      return;
    case NamedFormatError::kNested:
      named_format_has_a_nested_placeholder();
      return;
  }
}

// FormatString<kNamed, Args...>: the format of a RELOG_* call, checked at
// compile time against the call's arguments. Without names it is fmt's own
// check; with names (kNamed, from HasNames()), the format is checked as a
// named format, then, names taken out, by fmt.
template <bool kNamed, typename... Args>
class FormatString {
 public:
  template <typename S>
    requires std::is_convertible_v<const S&, std::string_view>
  consteval FormatString(const S& s)  // NOLINT: implicit, as fmt's
      : text_(s) {
    if constexpr (kNamed) {
      FailNamedFormat(CheckNamedFormat(text_));
      char stripped[kMaxNamedFormat] = {};
      const std::size_t n = StripNames(text_, stripped);
      static_cast<void>(
          fmt::format_string<Args...>(std::string_view(stripped, n)));
    } else {
      static_cast<void>(fmt::format_string<Args...>(s));
    }
  }
  fmt::string_view get() const { return {text_.data(), text_.size()}; }

 private:
  std::string_view text_;
};

// What the RELOG_* calls take: the argument types are deduced from the
// arguments only.
template <bool kNamed, typename... Args>
using CheckedFormat = FormatString<kNamed, std::type_identity_t<Args>...>;

// Formats `values` with a named format (names taken out first).
template <typename... Vs>
void FormatNamed(FmtBuffer& out, fmt::string_view format, const Vs&... values) {
  char stripped[kMaxNamedFormat];
  const std::string_view text(format.data(), format.size());
  const std::size_t n =
      text.size() <= kMaxNamedFormat ? StripNames(text, stripped) : 0;
  VFormatInto(out, fmt::string_view(stripped, n), values...);
}

// Where a field's value is formatted: 128 bytes inline, the heap beyond.
class FieldScratch final : public GrowableFmtBuffer<FieldScratch> {
 public:
  FieldScratch() { SetStorage(inline_, sizeof(inline_)); }
  FieldScratch(const FieldScratch&) = delete;
  FieldScratch& operator=(const FieldScratch&) = delete;
  ~FieldScratch() {
    if (data() != inline_) delete[] data();
  }

 private:
  friend class GrowableFmtBuffer<FieldScratch>;
  void Grow(std::size_t capacity) {
    const std::size_t want = std::max(capacity, this->capacity() * 2);
    char* bigger = new char[want];
    std::memcpy(bigger, data(), size());
    if (data() != inline_) delete[] data();
    SetStorage(bigger, want);
  }

  char inline_[128];
};

// A field's value as text and type. Values that are not text already are
// formatted into `scratch` (which the returned view then points into).
template <typename T>
FieldType FieldText(const T& v, FieldScratch& scratch,
                    std::string_view& text) {
  if constexpr (std::is_same_v<T, bool>) {
    text = v ? "true" : "false";
    return FieldType::kBool;
  } else if constexpr (std::is_same_v<T, char>) {
    text = std::string_view(&v, 1);
    return FieldType::kString;
  } else if constexpr (std::is_same_v<T, const char*> ||
                       std::is_same_v<T, char*>) {
    text = v == nullptr ? std::string_view() : std::string_view(v);
    return FieldType::kString;
  } else if constexpr (std::is_array_v<T>) {  // char arrays: up to a NUL
    text = std::string_view(v, strnlen(v, std::extent_v<T>));
    return FieldType::kString;
  } else if constexpr (std::is_convertible_v<const T&, std::string_view>) {
    text = std::string_view(v);
    return FieldType::kString;
  } else {
    fmt::format_to(fmt::appender(scratch), "{}", v);
    text = std::string_view(scratch.data(), scratch.size());
    if constexpr (std::is_integral_v<T>) {
      return FieldType::kNumber;
    } else if constexpr (std::is_floating_point_v<T>) {
      return std::isfinite(v) ? FieldType::kNumber : FieldType::kString;
    } else {
      return FieldType::kString;
    }
  }
}

// Hands the named arguments of a named format to `visitor`, in order.
template <typename... Vs>
void VisitNamed(fmt::string_view format, FieldVisitor& visitor,
                const Vs&... values) {
  const std::string_view text(format.data(), format.size());
  std::size_t pos = 0;
  const auto one = [&](const auto& value) {
    Placeholder p;
    if (!NextPlaceholder(text, pos, p)) return;
    const std::string_view name = NameOf(p);
    if (name.empty()) return;
    FieldScratch scratch;
    std::string_view value_text;
    const FieldType type = FieldText(value, scratch, value_text);
    visitor.Field(name, type, value_text);
  };
  (one(values), ...);
}

// The fields of an entry formatted on the caller: records of a type byte, a
// name length byte, the name, a 4-byte value length and the value, after
// the message in the entry's buffer (Entry::SetFieldsAt()).
class FieldBlockWriter final : public FieldVisitor {
 public:
  explicit FieldBlockWriter(FmtBuffer& out) : out_(out) {}
  void Field(std::string_view name, FieldType type,
             std::string_view value) override {
    const char head[2] = {static_cast<char>(type),
                          static_cast<char>(name.size())};
    out_.append(head, head + 2);
    out_.append(name.data(), name.data() + name.size());
    const auto size = static_cast<uint32_t>(value.size());
    char size_bytes[sizeof(size)];
    std::memcpy(size_bytes, &size, sizeof(size));
    out_.append(size_bytes, size_bytes + sizeof(size));
    out_.append(value.data(), value.data() + value.size());
  }

 private:
  FmtBuffer& out_;
};

// Reads a block FieldBlockWriter wrote.
inline void VisitFieldBlock(std::string_view block, FieldVisitor& visitor) {
  while (block.size() >= 2) {
    const auto type = static_cast<FieldType>(block[0]);
    const auto name_size = static_cast<unsigned char>(block[1]);
    block.remove_prefix(2);
    if (block.size() < name_size + sizeof(uint32_t)) return;
    const std::string_view name = block.substr(0, name_size);
    uint32_t size;
    std::memcpy(&size, block.data() + name_size, sizeof(size));
    block.remove_prefix(name_size + sizeof(size));
    if (block.size() < size) return;
    visitor.Field(name, type, block.substr(0, size));
    block.remove_prefix(size);
  }
}

}  // namespace logger_internal

// Context fields: name=value pairs that every entry of a logger made with
// Logger::With(), or every entry a thread logs while a ScopedFields lives,
// carries besides its message (JSON keys, `key=value` in text, syslog
// structured data). A name is checked at compile time as a placeholder's is
// (an identifier of at most 32 characters, not a key relog's JSON writes);
// a value is a string, a number or a bool, copied when the field is made.
//
// Example:
//   auto api = logger.With({{"service", "api"}, {"shard", 3}});
//   relog::ScopedFields scope{{"request_id", rid}};
//
// A logger's context and a thread's each hold at most kMaxContextBytes of
// names and values (about 40 short fields); a field that does not fit is
// left out, and the entry says how many were with a last field
// `relog_dropped_fields=N`.

// CheckFieldName(): kNone, or what is wrong with `name` as a field name
// (the check a placeholder's name gets too).
using logger_internal::CheckFieldName;

// A context field's name, checked at compile time.
class FieldName {
 public:
  template <typename S>
    requires std::is_convertible_v<const S&, std::string_view>
  consteval FieldName(const S& name)  // NOLINT: implicit, from a literal
      : name_(name) {
    logger_internal::FailNamedFormat(CheckFieldName(name_));
  }
  std::string_view get() const { return name_; }

 private:
  std::string_view name_;
};

// A context field's value: its type and text (numbers are written when the
// value is made).
class FieldValue {
 public:
  FieldValue(std::string_view text)  // NOLINT: implicit, for {name, value}
      : type_(FieldType::kString), text_(text) {}
  FieldValue(const char* text)  // NOLINT
      : FieldValue(std::string_view(text == nullptr ? "" : text)) {}
  FieldValue(const std::string& text)  // NOLINT
      : FieldValue(std::string_view(text)) {}
  FieldValue(bool value)  // NOLINT
      : type_(FieldType::kBool), text_(value ? "true" : "false") {}
  template <typename T>
    requires(std::is_arithmetic_v<T> && !std::is_same_v<T, bool> &&
             !std::is_same_v<T, char>)
  FieldValue(T value) {  // NOLINT
    FieldScratch scratch;
    std::string_view text;
    type_ = logger_internal::FieldText(value, scratch, text);
    digits_size_ = static_cast<uint8_t>(
        std::min<std::size_t>(text.size(), sizeof(digits_)));
    std::memcpy(digits_, text.data(), digits_size_);
  }
  FieldType type() const { return type_; }
  std::string_view text() const {
    return digits_size_ > 0 ? std::string_view(digits_, digits_size_) : text_;
  }

 private:
  using FieldScratch = logger_internal::FieldScratch;
  FieldType type_ = FieldType::kString;
  std::string_view text_;
  char digits_[40] = {};
  uint8_t digits_size_ = 0;
};

struct Field {
  FieldName name;
  FieldValue value;
};

inline constexpr std::size_t kMaxContextBytes = 512;

namespace logger_internal {

// A context: fields in FieldBlockWriter's format, in a fixed array.
// Thread-compatible.
class ContextBlock {
 public:
  constexpr ContextBlock() = default;
  // Adds a field if it fits; else counts it as dropped.
  void Add(std::string_view name, FieldType type, std::string_view value) {
    const std::size_t need = 2 + name.size() + sizeof(uint32_t) + value.size();
    if (need > kMaxContextBytes - size_) {
      ++dropped_;
      return;
    }
    char* p = bytes_ + size_;
    p[0] = static_cast<char>(type);
    p[1] = static_cast<char>(name.size());
    std::memcpy(p + 2, name.data(), name.size());
    const auto n = static_cast<uint32_t>(value.size());
    std::memcpy(p + 2 + name.size(), &n, sizeof(n));
    std::memcpy(p + 2 + name.size() + sizeof(n), value.data(), value.size());
    size_ += need;
  }
  void Add(std::initializer_list<Field> fields) {
    for (const Field& f : fields) Add(f.name.get(), f.value.type(), f.value.text());
  }
  std::string_view bytes() const { return std::string_view(bytes_, size_); }
  std::size_t size() const { return size_; }
  uint32_t dropped() const { return dropped_; }
  bool empty() const { return size_ == 0 && dropped_ == 0; }
  // Back to an earlier size() and dropped() (ScopedFields' end).
  void Truncate(std::size_t size, uint32_t dropped) {
    size_ = size;
    dropped_ = dropped;
  }

 private:
  std::size_t size_ = 0;
  uint32_t dropped_ = 0;
  char bytes_[kMaxContextBytes] = {};
};

// The calling thread's context (ScopedFields).
inline thread_local constinit ContextBlock tls_context;

}  // namespace logger_internal

// ScopedFields: adds fields to every entry the calling thread logs while it
// lives, through any logger. Nests (an inner scope's fields follow the
// outer's); must be destroyed on the thread that made it, in reverse order
// of construction, as a local variable is.
class ScopedFields {
 public:
  ScopedFields(std::initializer_list<Field> fields)
      : size_(logger_internal::tls_context.size()),
        dropped_(logger_internal::tls_context.dropped()) {
    logger_internal::tls_context.Add(fields);
  }
  ScopedFields(const ScopedFields&) = delete;
  ScopedFields& operator=(const ScopedFields&) = delete;
  ~ScopedFields() { logger_internal::tls_context.Truncate(size_, dropped_); }

 private:
  const std::size_t size_;
  const uint32_t dropped_;
};

}  // namespace relog

#endif  // RELOG_LOGGER_FIELDS_H_

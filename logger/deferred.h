// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog, except relog::IsSelfContained (the opt-in trait).
//
// logger/deferred.h: deferred formatting. A log call whose arguments are
// all values that can be copied whole copies them into its entry (a few
// bytes each) and hands the entry on; the sink side formats the message
// from that copy, so the caller pays for a copy instead of formatting.
//
// What is deferred: arithmetic types (bool and the character types too),
// enums, std::chrono durations and time points, strings (std::string,
// std::string_view, C strings and char arrays, whose bytes are copied), and
// a user type whose relog::IsSelfContained is true. A call with any other
// argument is formatted on the caller, as before, automatically: nothing
// that could dangle or change before the sink reads it is ever deferred.
//
// The format is checked against the call's own argument types at compile
// time either way; the sink side formats the copies (strings as
// std::string_view, C strings as const char*), which fmt formats as it
// would the originals.
//
// Everything here is thread-safe (pure functions over the caller's
// arguments and the entry's bytes).

#ifndef RELOG_LOGGER_DEFERRED_H_
#define RELOG_LOGGER_DEFERRED_H_

#include <bit>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "fmt/core.h"
#include "relog/logger/fields.h"
#include "relog/logger/fmt_buffer.h"

namespace relog {

// IsSelfContained<T>: specialize to std::true_type for a user type that is a
// self-contained value: trivially copyable, and holding no pointer or
// reference to memory it does not own by value, so that a copy taken when
// the call is made formats, later, exactly as the original would have then.
// Calls with such arguments are deferred like calls with built-in values.
//
//   template <> struct relog::IsSelfContained<Point> : std::true_type {};
template <typename T>
struct IsSelfContained : std::false_type {};

namespace logger_internal {

template <typename T>
struct IsDuration : std::false_type {};
template <typename Rep, typename Period>
struct IsDuration<std::chrono::duration<Rep, Period>> : std::true_type {};

template <typename T>
struct IsTimePoint : std::false_type {};
template <typename Clock, typename Duration>
struct IsTimePoint<std::chrono::time_point<Clock, Duration>> : std::true_type {
};

// Values copied byte for byte.
template <typename T>
concept CopiedWhole =
    std::is_arithmetic_v<T> || std::is_enum_v<T> || IsDuration<T>::value ||
    IsTimePoint<T>::value ||
    (IsSelfContained<T>::value && std::is_trivially_copyable_v<T>);

// Strings held by the argument (copied as length and bytes).
template <typename T>
concept StringValue = std::is_same_v<T, std::string> ||
                      std::is_same_v<T, std::string_view>;

// C strings and char arrays (copied with their terminating NUL, so the
// sink side formats a const char* as the caller would have).
template <typename T>
concept CString = std::is_same_v<T, const char*> || std::is_same_v<T, char*> ||
                  (std::is_array_v<T> &&
                   std::is_same_v<std::remove_cv_t<std::remove_extent_t<T>>,
                                  char>);

template <typename T>
concept Deferrable = CopiedWhole<T> || StringValue<T> || CString<T>;

// True when every argument of a call can be deferred.
template <typename... Args>
inline constexpr bool kAllDeferrable =
    (Deferrable<std::remove_cvref_t<Args>> && ...);

// How one argument is encoded (Size, Encode) and decoded (Decode).
template <typename T>
struct Codec;

template <CopiedWhole T>
struct Codec<T> {
  using Decoded = T;
  static std::size_t Size(const T&) { return sizeof(T); }
  static char* Encode(char* p, const T& v) {
    std::memcpy(p, &v, sizeof(T));
    return p + sizeof(T);
  }
  static T Decode(const char*& p) {
    struct Bytes {
      char b[sizeof(T)];
    } bytes;
    std::memcpy(bytes.b, p, sizeof(T));
    p += sizeof(T);
    return std::bit_cast<T>(bytes);
  }
};

template <StringValue T>
struct Codec<T> {
  using Decoded = std::string_view;
  static std::size_t Size(const T& v) { return sizeof(uint32_t) + v.size(); }
  static char* Encode(char* p, const T& v) {
    const auto n = static_cast<uint32_t>(v.size());
    std::memcpy(p, &n, sizeof(n));
    std::memcpy(p + sizeof(n), v.data(), n);
    return p + sizeof(n) + n;
  }
  static std::string_view Decode(const char*& p) {
    uint32_t n;
    std::memcpy(&n, p, sizeof(n));
    const std::string_view v(p + sizeof(n), n);
    p += sizeof(n) + n;
    return v;
  }
};

template <CString T>
struct Codec<T> {
  using Decoded = const char*;
  // A null C string is kept null (fmt reports it, as it would have on the
  // caller).
  static constexpr uint32_t kNull = ~uint32_t{0};
  static uint32_t Length(const char* s, std::size_t max) {
    return s == nullptr ? kNull : static_cast<uint32_t>(strnlen(s, max));
  }
  static uint32_t Length(const T& v) {
    if constexpr (std::is_array_v<T>) {
      return Length(v, std::extent_v<T>);
    } else {
      return Length(v, ~std::size_t{0});
    }
  }
  static std::size_t Size(const T& v) {
    const uint32_t n = Length(v);
    return sizeof(uint32_t) + (n == kNull ? 0 : n + 1);
  }
  static char* Encode(char* p, const T& v) {
    const uint32_t n = Length(v);
    std::memcpy(p, &n, sizeof(n));
    p += sizeof(n);
    if (n == kNull) return p;
    std::memcpy(p, v, n);
    p[n] = '\0';
    return p + n + 1;
  }
  static const char* Decode(const char*& p) {
    uint32_t n;
    std::memcpy(&n, p, sizeof(n));
    p += sizeof(n);
    if (n == kNull) return nullptr;
    const char* s = p;
    p += n + 1;
    return s;
  }
};

// The bytes the arguments take, and their encoding into `p` (which has
// room for that many).
template <typename... Ts>
std::size_t EncodedSize(const Ts&... args) {
  return (std::size_t{0} + ... + Codec<Ts>::Size(args));
}
template <typename... Ts>
void Encode([[maybe_unused]] char* p, const Ts&... args) {
  ((p = Codec<Ts>::Encode(p, args)), ...);
}

// Formats decoded arguments: with the call's compiled format, or parsing
// the format (a string literal) at run time, or a named format
// (logger/fields.h), whose named arguments are also the entry's fields
// (kNamed).
template <typename Compiled>
struct CompiledFormat;  // defined with FMT_COMPILE support (logger.h)
struct RuntimeFormat {
  static constexpr bool kNamed = false;
  template <typename... Vs>
  static void Format(FmtBuffer& out, fmt::string_view format,
                     const Vs&... values) {
    VFormatInto(out, format, values...);
  }
};

struct NamedFormat {
  static constexpr bool kNamed = true;
  template <typename... Vs>
  static void Format(FmtBuffer& out, fmt::string_view format,
                     const Vs&... values) {
    FormatNamed(out, format, values...);
  }
};

// Decode<F, Ts...>: an Entry::Decoder for arguments of types Ts formatted
// by F. The arguments are decoded in order (a braced list is evaluated left
// to right) into values that point into `args` (strings) or hold copies.
// With `fields` (only for a named format), hands them to it instead.
template <typename F, typename... Ts>
void Decode([[maybe_unused]] const char* args, fmt::string_view format,
            FmtBuffer& out,
            [[maybe_unused]] FieldVisitor* fields) {
  std::tuple<typename Codec<Ts>::Decoded...> values{Codec<Ts>::Decode(args)...};
  if constexpr (F::kNamed) {
    if (fields != nullptr) {
      std::apply([&](const auto&... v) { VisitNamed(format, *fields, v...); },
                 values);
      return;
    }
  }
  std::apply(
      [&](const auto&... v) { F::Format(out, format, v...); }, values);
}

}  // namespace logger_internal
}  // namespace relog

#endif  // RELOG_LOGGER_DEFERRED_H_

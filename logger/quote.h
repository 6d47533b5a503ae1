// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/quote.h: the small text helpers relog's own code shares.
//   - Quote(): user text quoted in an error message, cut to a short excerpt
//     when it is long, so that a bad 100 KB token does not make a 100 KB
//     error.
//   - AppendEscaped(): the one escaping loop behind every escaper that
//     copies plain runs whole (text lines, logfmt values, syslog structured
//     data, Quote() itself); AppendControlEscape() writes a control byte as
//     \n, \r, \t or \xNN.
//   - ToAbsl(): a std::string_view as an absl::string_view (Debian's Abseil
//     has a string_view type of its own), for absl::StrCat and friends.
//   - SplitPath(): a file path as folder, stem and extension.
//   - CurrentExceptionText(): what() of the exception being handled.
// Thread-safe (pure).

#ifndef RELOG_LOGGER_QUOTE_H_
#define RELOG_LOGGER_QUOTE_H_

#include <cstddef>
#include <exception>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace relog {

inline absl::string_view ToAbsl(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

// IsControl(): a C0 control byte or DEL, the bytes that can break a line or
// drive a terminal.
constexpr bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

// AppendControlEscape(): appends `c` (a control byte) to `out` (a
// std::string or an fmt buffer) as \n, \r, \t or \xNN.
template <typename Out>
void AppendControlEscape(char c, Out& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  const auto u = static_cast<unsigned char>(c);
  char text[4] = {'\\', 'x', kHex[u >> 4], kHex[u & 15]};
  std::size_t size = 2;
  switch (c) {
    case '\n':
      text[1] = 'n';
      break;
    case '\r':
      text[1] = 'r';
      break;
    case '\t':
      text[1] = 't';
      break;
    default:
      size = 4;
  }
  out.append(text, text + size);
}

// AppendEscaped(): appends `text` to `out`, each byte for which
// `special(c)` holds replaced by what `escape(c, out)` appends. Runs of
// plain bytes are copied whole.
template <typename Out, typename Special, typename Escape>
void AppendEscaped(std::string_view text, Out& out, Special special,
                   Escape escape) {
  const char* run = text.data();
  const char* const end = text.data() + text.size();
  for (const char* p = run; p != end; ++p) {
    if (!special(*p)) continue;
    out.append(run, p);
    escape(*p, out);
    run = p + 1;
  }
  out.append(run, end);
}

// AppendEscapedControls(): `text` with its control bytes escaped by
// AppendControlEscape().
template <typename Out>
void AppendEscapedControls(std::string_view text, Out& out) {
  AppendEscaped(text, out, IsControl, AppendControlEscape<Out>);
}

// Most characters of the text itself that Quote() keeps.
inline constexpr std::size_t kMaxQuoted = 64;

// Quote(): "'text'", or for text longer than kMaxQuoted, its first
// characters and the length: "'abcd...' (100000 bytes)". Control
// characters are escaped (AppendControlEscape()), so quoted text cannot
// break an error line or send escape sequences to a terminal.
inline std::string Quote(std::string_view text) {
  const bool cut = text.size() > kMaxQuoted;
  std::string out = "'";
  AppendEscapedControls(cut ? text.substr(0, kMaxQuoted - 4) : text, out);
  if (!cut) {
    out.push_back('\'');
    return out;
  }
  out.append("...' (");
  out.append(std::to_string(text.size()));
  out.append(" bytes)");
  return out;
}

// A file path in three parts that concatenate back to it: the folder with
// its trailing '/' (or empty), the file name without its last extension,
// and that extension with its '.' (or empty). A dot that starts the file
// name (".hidden") is not an extension.
struct PathParts {
  std::string_view dir;
  std::string_view stem;
  std::string_view ext;
};

constexpr PathParts SplitPath(std::string_view path) {
  const std::size_t slash = path.rfind('/');
  const std::size_t name = slash == std::string_view::npos ? 0 : slash + 1;
  std::size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || dot <= name) dot = path.size();
  return PathParts{path.substr(0, name), path.substr(name, dot - name),
                   path.substr(dot)};
}

// CurrentExceptionText(): what() of the exception being handled, or
// "unknown exception" for one not derived from std::exception. Call only
// inside a catch block.
inline std::string CurrentExceptionText() {
  try {
    throw;
  } catch (const std::exception& e) {
    return e.what();
  } catch (...) {
    return "unknown exception";
  }
}

}  // namespace relog

#endif  // RELOG_LOGGER_QUOTE_H_

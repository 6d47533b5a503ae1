// SPDX-License-Identifier: Apache-2.0
//
// Internal to relog: not part of its interface.
//
// logger/quote.h: relog::Quote(), user text quoted in an error message, cut
// to a short excerpt when it is long, so that a bad 100 KB token does not
// make a 100 KB error. Thread-safe (pure).

#ifndef RELOG_LOGGER_QUOTE_H_
#define RELOG_LOGGER_QUOTE_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace relog {

// Most characters of the text itself that Quote() keeps.
inline constexpr std::size_t kMaxQuoted = 64;

// Quote(): "'text'", or for text longer than kMaxQuoted, its first
// characters and the length: "'abcd...' (100000 bytes)". Control
// characters are written as \xNN, so quoted text cannot break an error
// line or send escape sequences to a terminal.
inline std::string Quote(std::string_view text) {
  const bool cut = text.size() > kMaxQuoted;
  std::string out = "'";
  for (const char c : cut ? text.substr(0, kMaxQuoted - 4) : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x");
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 15]);
    } else {
      out.push_back(c);
    }
  }
  if (!cut) {
    out.push_back('\'');
    return out;
  }
  out.append("...' (");
  out.append(std::to_string(text.size()));
  out.append(" bytes)");
  return out;
}

}  // namespace relog

#endif  // RELOG_LOGGER_QUOTE_H_

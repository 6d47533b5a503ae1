// SPDX-License-Identifier: Apache-2.0
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
// characters and the length: "'abcd...' (100000 bytes)".
inline std::string Quote(std::string_view text) {
  std::string out = "'";
  if (text.size() <= kMaxQuoted) {
    out.append(text);
    out.push_back('\'');
    return out;
  }
  out.append(text.substr(0, kMaxQuoted - 4));
  out.append("...' (");
  out.append(std::to_string(text.size()));
  out.append(" bytes)");
  return out;
}

}  // namespace relog

#endif  // RELOG_LOGGER_QUOTE_H_

// SPDX-License-Identifier: Apache-2.0
//
// tests/syslog_test_util.h: for the syslog tests, a parser of RFC 5424
// messages as SyslogSink writes them, and a decoder of RFC 6587
// octet-counted frames. Pure functions: thread-safe.

#ifndef RELOG_TESTS_SYSLOG_TEST_UTIL_H_
#define RELOG_TESTS_SYSLOG_TEST_UTIL_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relog::testing {

// FreeLoopbackPort(): a port on 127.0.0.1 that was free a moment ago (a
// socket of `type` bound to port 0, its port read, then closed).
inline uint16_t FreeLoopbackPort(int type) {
  const int fd = ::socket(AF_INET, type | SOCK_CLOEXEC, 0);
  sockaddr_in addr = {};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ::bind(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  ::close(fd);
  return ntohs(addr.sin_port);
}

struct SyslogMessage {
  int pri = -1;
  std::string timestamp;
  std::string hostname;
  std::string app_name;
  std::string procid;
  std::string msgid;
  std::string structured_data;
  std::string msg;
};

namespace syslog_test_internal {

inline bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (const char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS.ffffffZ", exactly.
inline bool IsMicrosUtcTimestamp(std::string_view t) {
  constexpr std::string_view kShape = "dddd-dd-ddTdd:dd:dd.ddddddZ";
  if (t.size() != kShape.size()) return false;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (kShape[i] == 'd') {
      if (!std::isdigit(static_cast<unsigned char>(t[i]))) return false;
    } else if (t[i] != kShape[i]) {
      return false;
    }
  }
  return true;
}

inline bool IsHeaderField(std::string_view s, std::size_t max_size) {
  if (s.empty() || s.size() > max_size) return false;
  for (const char c : s) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126) return false;
  }
  return true;
}

}  // namespace syslog_test_internal

// ParseRfc5424(): the fields of `<PRI>1 TIMESTAMP HOST APP PROCID MSGID SD
// MSG` with SD = "-", or nothing if the text is not shaped like that.
inline std::optional<SyslogMessage> ParseRfc5424(std::string_view text) {
  using syslog_test_internal::AllDigits;
  using syslog_test_internal::IsHeaderField;
  SyslogMessage m;
  if (text.empty() || text[0] != '<') return std::nullopt;
  const std::size_t close = text.find('>');
  if (close == std::string_view::npos || close < 2 || close > 4) {
    return std::nullopt;
  }
  const std::string_view pri = text.substr(1, close - 1);
  if (!AllDigits(pri)) return std::nullopt;
  m.pri = std::stoi(std::string(pri));
  if (m.pri > 191) return std::nullopt;
  text.remove_prefix(close + 1);
  std::vector<std::string_view> fields;
  for (int i = 0; i < 7; ++i) {
    const std::size_t space = text.find(' ');
    if (space == std::string_view::npos) return std::nullopt;
    fields.push_back(text.substr(0, space));
    text.remove_prefix(space + 1);
  }
  if (fields[0] != "1") return std::nullopt;
  if (!syslog_test_internal::IsMicrosUtcTimestamp(fields[1])) {
    return std::nullopt;
  }
  if (!IsHeaderField(fields[2], 255) || !IsHeaderField(fields[3], 48) ||
      !IsHeaderField(fields[4], 128) || !IsHeaderField(fields[5], 32) ||
      fields[6] != "-") {
    return std::nullopt;
  }
  m.timestamp = std::string(fields[1]);
  m.hostname = std::string(fields[2]);
  m.app_name = std::string(fields[3]);
  m.procid = std::string(fields[4]);
  m.msgid = std::string(fields[5]);
  m.structured_data = std::string(fields[6]);
  m.msg = std::string(text);
  return m;
}

// DecodeOctetCounted(): takes the complete "LEN SP MSG" frames off the front
// of `stream` and appends their messages to `out`. Returns false on a
// malformed frame.
inline bool DecodeOctetCounted(std::string& stream,
                               std::vector<std::string>& out) {
  std::size_t pos = 0;
  while (pos < stream.size()) {
    const std::size_t space = stream.find(' ', pos);
    if (space == std::string::npos) break;
    const std::string_view len_text(stream.data() + pos, space - pos);
    if (!syslog_test_internal::AllDigits(len_text) || len_text.size() > 9) {
      return false;
    }
    const std::size_t len = std::stoul(std::string(len_text));
    if (stream.size() - (space + 1) < len) break;
    out.emplace_back(stream, space + 1, len);
    pos = space + 1 + len;
  }
  stream.erase(0, pos);
  return true;
}

}  // namespace relog::testing

#endif  // RELOG_TESTS_SYSLOG_TEST_UTIL_H_

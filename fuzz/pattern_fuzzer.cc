// SPDX-License-Identifier: Apache-2.0
//
// fuzz/pattern_fuzzer.cc: libFuzzer target for relog::PatternFormatter: the
// pattern compiler (Create()) and the record it writes (Format()). A pattern
// comes from a config file or a sink spec; the message is whatever a caller
// logged. Neither may break a record: with escape_control on, a message
// cannot add a control character (a forged second line, a terminal escape)
// to the output.
//
// Input: byte 0 picks the options (bit 0: utc, bit 1: escape_control off),
// then the pattern up to the first NUL, then the message. (So a pattern
// never holds a NUL; any other byte can be in either.)
//
// Properties checked:
//   - Create() succeeds exactly when every '%' is followed by a known flag;
//     an error is InvalidArgument and names the pattern;
//   - Format() ends the record with '\n', and the record (without that
//     '\n') holds as many control characters (bytes < 0x20 and 0x7f) as the
//     pattern's literal text, plus, with escape_control off, those of the
//     message once per %v: with it on, the message adds none;
//   - a pattern without '%' writes itself and '\n';
//   - formatting the same entry twice writes the same record.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fmt/format.h"
#include "fuzz/check.h"
#include "relog/logger/entry.h"
#include "relog/logger/level.h"
#include "relog/pool/buffer_pool.h"
#include "relog/sinks/pattern_formatter.h"

namespace relog {
namespace {

// The flags pattern_formatter.h documents, written independently of its
// parser so that the two can disagree.
constexpr std::string_view kFlags = "DTYmdHMSefFlLntNsg#!vK%";

// The number of %v in `pattern`, or nullopt when Create() must reject it
// (a '%' before an unknown flag, or at the end).
std::optional<std::size_t> MessageFields(std::string_view pattern) {
  std::size_t messages = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') continue;
    if (++i == pattern.size()) return std::nullopt;
    if (kFlags.find(pattern[i]) == std::string_view::npos) return std::nullopt;
    if (pattern[i] == 'v') ++messages;
  }
  return messages;
}

bool IsControl(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u < 0x20 || u == 0x7f;
}

std::size_t CountControls(std::string_view text) {
  std::size_t n = 0;
  for (const char c : text) n += IsControl(c) ? 1 : 0;
  return n;
}

std::string_view View(const fmt::memory_buffer& out) {
  return std::string_view(out.data(), out.size());
}

void CheckPattern(std::string_view pattern, std::string_view message,
                  PatternOptions options) {
  const std::optional<std::size_t> messages = MessageFields(pattern);
  absl::StatusOr<std::unique_ptr<PatternFormatter>> formatter =
      PatternFormatter::Create(pattern, options);
  if (!formatter.ok()) {
    RELOG_FUZZ_CHECK(!messages.has_value(), pattern);
    RELOG_FUZZ_CHECK(
        formatter.status().code() == absl::StatusCode::kInvalidArgument,
        formatter.status().ToString());
    RELOG_FUZZ_CHECK(formatter.status().message().substr(0, 9) == "pattern '",
                     formatter.status().ToString());
    return;
  }
  RELOG_FUZZ_CHECK(messages.has_value(), pattern);
  RELOG_FUZZ_CHECK((*formatter)->pattern() == pattern, pattern);

  // A fixed entry, as tests/sink_test_util.h builds them; only the message
  // comes from the input. None of the fixed fields holds a control
  // character, so any in the record come from the pattern or the message.
  BufferPool buffers;
  Entry entry(&buffers);
  entry.Set(/*timestamp_ns=*/1795448906123456789, Level::kInfo,
            /*thread_id=*/12345, "app",
            SourceLocation{"src/dir/a.cc", 42, "Serve"});
  fmt::format_to(fmt::appender(entry.mutable_message()), "{}", message);

  fmt::memory_buffer out;
  (*formatter)->Format(entry, out);
  const std::string_view record = View(out);
  RELOG_FUZZ_CHECK(!record.empty() && record.back() == '\n', record);
  const std::size_t expected_controls =
      CountControls(pattern) +
      (options.escape_control ? 0 : *messages * CountControls(message));
  RELOG_FUZZ_CHECK(
      CountControls(record.substr(0, record.size() - 1)) == expected_controls,
      record);
  if (pattern.find('%') == std::string_view::npos) {
    RELOG_FUZZ_CHECK(record.substr(0, record.size() - 1) == pattern, record);
  }

  fmt::memory_buffer again;
  (*formatter)->Format(entry, again);
  RELOG_FUZZ_CHECK(View(again) == record, View(again));
}

}  // namespace
}  // namespace relog

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  relog::PatternOptions options;
  options.utc = (data[0] & 1) != 0;
  options.escape_control = (data[0] & 2) == 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::size_t nul = rest.find('\0');
  const std::string_view pattern = rest.substr(0, nul);
  const std::string_view message =
      nul == std::string_view::npos ? std::string_view() : rest.substr(nul + 1);
  relog::CheckPattern(pattern, message, options);
  return 0;
}

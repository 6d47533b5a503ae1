// SPDX-License-Identifier: Apache-2.0
//
// fuzz/spec_fuzzer.cc: libFuzzer target for relog::ParseSinkSpec(), the
// sink-spec parser behind $RELOG_SINKS and relog_pipe --sinks. Text from a
// flag or the environment is untrusted input; whatever it holds, the parser
// must answer with checked configs or an error a person can act on. Only
// ParseSinkSpec() is called: MakeSink() and ParseSinks() would create files
// and sockets.
//
// Properties checked on every input:
//   - an error is InvalidArgument, starts with "sink spec: ", is at most
//     kMaxErrorSize bytes long whatever the spec's size (quoted text is cut
//     to an excerpt), and holds no control character (quoted ones are
//     escaped), so it is one safe line on a terminal;
//   - a success has at least one config; each config's position is inside
//     the spec, points at the first character of its kind (or at the '\'
//     that escapes it), and positions increase from sink to sink;
//   - each config holds only values the spec grammar allows (a known kind
//     and level, a target of the right shape, numbers in range, a pattern
//     that compiles and only with format=text).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "fuzz/check.h"
#include "relog/logger/level.h"
#include "relog/sinks/pattern_formatter.h"
#include "relog/sinks/spec.h"
#include "relog/sinks/syslog_sink.h"

namespace relog {
namespace {

// An error quotes pieces of the spec (a kind, a value, a target; a bad
// syslog target up to three times over, with the syslog parser's own
// message), each at most logger/quote.h's excerpt.
constexpr std::size_t kMaxErrorSize = 1024;

std::string_view View(absl::string_view s) {
  return std::string_view(s.data(), s.size());
}

void CheckError(std::string_view spec, const absl::Status& status) {
  const std::string_view message = View(status.message());
  RELOG_FUZZ_CHECK(status.code() == absl::StatusCode::kInvalidArgument,
                   status.ToString());
  RELOG_FUZZ_CHECK(message.substr(0, 11) == "sink spec: ", message);
  static_cast<void>(spec);
  RELOG_FUZZ_CHECK(message.size() <= kMaxErrorSize, message);
  for (const char c : message) {
    const auto u = static_cast<unsigned char>(c);
    RELOG_FUZZ_CHECK(u >= 0x20 && u != 0x7f, message);
  }
}

std::string_view KindName(SinkKind kind) {
  switch (kind) {
    case SinkKind::kConsole:
      return "console";
    case SinkKind::kFile:
      return "file";
    case SinkKind::kRotating:
      return "rotating";
    case SinkKind::kDaily:
      return "daily";
    case SinkKind::kSyslog:
      return "syslog";
    case SinkKind::kNull:
      return "null";
  }
  return {};
}

void CheckTarget(const SinkConfig& config) {
  switch (config.kind) {
    case SinkKind::kConsole:
      RELOG_FUZZ_CHECK((config.target == "stderr" &&
                        config.stream == ConsoleStream::kStderr) ||
                           (config.target == "stdout" &&
                            config.stream == ConsoleStream::kStdout),
                       config.target);
      break;
    case SinkKind::kFile:
    case SinkKind::kRotating:
    case SinkKind::kDaily:
      RELOG_FUZZ_CHECK(!config.target.empty(), KindName(config.kind));
      break;
    case SinkKind::kSyslog:
      RELOG_FUZZ_CHECK(ParseSyslogTarget(config.target).ok(), config.target);
      break;
    case SinkKind::kNull:
      RELOG_FUZZ_CHECK(config.target.empty(), config.target);
      break;
  }
}

void CheckValues(const SinkConfig& config) {
  if (config.level.has_value()) {
    RELOG_FUZZ_CHECK(
        *config.level >= Level::kTrace && *config.level <= Level::kOff,
        "level out of range");
  }
  RELOG_FUZZ_CHECK(
      config.format == SinkFormat::kText || config.format == SinkFormat::kJson,
      "format out of range");
  if (!config.pattern.empty()) {
    RELOG_FUZZ_CHECK(config.format == SinkFormat::kText, config.pattern);
    RELOG_FUZZ_CHECK(PatternFormatter::Create(config.pattern).ok(),
                     config.pattern);
  }
  RELOG_FUZZ_CHECK(config.color == ColorMode::kAuto ||
                       config.color == ColorMode::kAlways ||
                       config.color == ColorMode::kNever,
                   "color out of range");
  RELOG_FUZZ_CHECK(config.rotating.max_size >= 1, "max_size 0");
  RELOG_FUZZ_CHECK(
      config.rotating.max_files >= 1 && config.rotating.max_files <= 100000,
      "max_files out of range");
  RELOG_FUZZ_CHECK(config.daily_hour >= 0 && config.daily_hour <= 23,
                   "hour out of range");
  RELOG_FUZZ_CHECK(config.daily_minute >= 0 && config.daily_minute <= 59,
                   "minute out of range");
  RELOG_FUZZ_CHECK(
      config.daily_max_days >= 0 && config.daily_max_days <= 100000,
      "max_days out of range");
  RELOG_FUZZ_CHECK(ParseSyslogFacility(config.facility).ok(), config.facility);
  RELOG_FUZZ_CHECK(config.compress == Compression::kNone ||
                       config.compress == Compression::kGzip,
                   "compress out of range");
  // Only the sinks that rotate files compress them.
  RELOG_FUZZ_CHECK(config.compress == Compression::kNone ||
                       config.kind == SinkKind::kRotating ||
                       config.kind == SinkKind::kDaily,
                   KindName(config.kind));
}

void CheckConfigs(std::string_view spec,
                  const std::vector<SinkConfig>& configs) {
  RELOG_FUZZ_CHECK(!configs.empty(), spec);
  std::size_t previous = 0;
  for (const SinkConfig& config : configs) {
    const std::string_view kind = KindName(config.kind);
    RELOG_FUZZ_CHECK(!kind.empty(), "kind out of range");
    RELOG_FUZZ_CHECK(config.position >= 1 && config.position <= spec.size(),
                     spec);
    RELOG_FUZZ_CHECK(config.position > previous, spec);
    previous = config.position;
    const char first = spec[config.position - 1];
    RELOG_FUZZ_CHECK(first == kind.front() || first == '\\',
                     spec.substr(config.position - 1));
    CheckTarget(config);
    CheckValues(config);
  }
}

}  // namespace
}  // namespace relog

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view spec(reinterpret_cast<const char*>(data), size);
  const absl::StatusOr<std::vector<relog::SinkConfig>> configs =
      relog::ParseSinkSpec(spec);
  if (configs.ok()) {
    relog::CheckConfigs(spec, *configs);
  } else {
    relog::CheckError(spec, configs.status());
  }
  return 0;
}

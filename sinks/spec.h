// SPDX-License-Identifier: Apache-2.0
//
// sinks/spec.h: sinks from a line of text, and a logger whose sinks come
// from an environment variable (RELOG_SINKS), so that a service can take
// its logging set-up from a flag or from its environment.
//
// Example:
//   auto sinks = relog::ParseSinks(
//       "console:stderr,level=warn;"
//       "rotating:/var/log/app.log,max_size=64MiB,max_files=5,format=json");
//   auto logger = relog::MakeLoggerFromEnv({.name = "app"});
//
// The spec: sinks separated by ';', each `kind[:target][,key=value]...`.
//
//   kind      target                         keys besides the common ones
//   --------  -----------------------------  ---------------------------------
//   console   stdout or stderr (default)     color=auto|always|never
//   file      a path (required)
//   rotating  a path (required)              max_size=SIZE (64MiB),
//                                            max_files=N (5),
//                                            compress=gzip|none (none)
//   daily     a path (required)              hour=0-23 (0), minute=0-59 (0),
//                                            max_days=N (7; 0 keeps all),
//                                            compress=gzip|none (none)
//   syslog    udp://host:port, tcp://host:port or unix:///path (required)
//                                            facility=NAME (user),
//                                            app_name=NAME (the program's)
//   null      none
//
// Common keys: level=trace|debug|info|warn|error|fatal|off (the sink's own
// threshold; default: everything its logger passes), overflow=block|drop
// (the sink's queue policy; default: the logger's), retry=DURATION (how
// long a failing flush is retried before its records are given up as lost;
// default 1s; see Sink::retry_for()), and, for console, file, rotating and
// daily, format=text|json (default text) and pattern=PATTERN (a
// PatternFormatter pattern, format=text only; default: the default text
// format). syslog writes RFC 5424 and takes neither. file, rotating and
// daily also take fsync=LEVEL (trace ... fatal, or off, the default): a
// batch holding an entry at or above LEVEL is made durable with
// fdatasync(2) before it counts as written and the sink goes on (see
// Sink::sync_level()).
//
// DURATION is 0 or a whole number with a unit: ms, s or min ("500ms").
//
// SIZE is a number of bytes, optionally followed by a unit, in any case:
// B, KB (1000), KiB (1024), MB (1000^2), MiB (1024^2), GB (1000^3) or
// GiB (1024^3). "64MiB" is 67108864 bytes. No fractions, no bare K/M/G.
//
// Escapes: a backslash makes the next character literal, so a pattern or a
// path can hold ';' ',' '=' or ':' ("pattern=%D\, %T %v"); "\\" is one
// backslash. Spaces and tabs around ';' and ',' (at the edges of items and
// options) are ignored; write "\ " to keep one at the edge of a value.
//
// Errors are InvalidArgument, say what is wrong and where (the 1-based
// position in the spec) and quote the offending text (at most its first
// 60 characters and its length, when it is long):
//   sink spec: unknown kind 'fiel' at position 1 (expected console, file,
//   rotating, daily, syslog or null)
// A spec is parsed and checked completely before any sink is created, so a
// bad spec creates nothing (no file is opened, no socket connected); if a
// sink cannot be created (a file that cannot be opened, a syslog server
// that does not answer), the sinks already made are destroyed, the files
// they created removed (ParseSinks() makes no directory, and no sink
// deletes or rotates anything before it is first used), and the error
// names the sink. So a configuration that fails leaves nothing behind.
//
// Everything here is thread-safe (no shared state; MakeLoggerFromEnv reads
// the environment, which must not be changed concurrently).

#ifndef RELOG_SINKS_SPEC_H_
#define RELOG_SINKS_SPEC_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "relog/logger/level.h"
#include "relog/logger/logger.h"
#include "relog/logger/sink.h"
#include "relog/sinks/console_sink.h"
#include "relog/sinks/rotating_file_sink.h"
#include "relog/sinks/syslog_sink.h"

namespace relog {

enum class SinkKind { kConsole, kFile, kRotating, kDaily, kSyslog, kNull };
enum class SinkFormat { kText, kJson };

// One sink of a spec, parsed and checked; plain data, nothing created.
struct SinkConfig {
  SinkKind kind = SinkKind::kNull;
  // 1-based position of the sink's text in the spec.
  std::size_t position = 0;
  // The target as written (escapes resolved); console: "stdout"/"stderr".
  std::string target;
  std::optional<Level> level;
  std::optional<OverflowPolicy> overflow;
  std::optional<std::chrono::milliseconds> retry;
  std::optional<Level> fsync;
  Compression compress = Compression::kNone;  // rotating, daily
  SinkFormat format = SinkFormat::kText;
  std::string pattern;  // empty: the default text format
  ConsoleStream stream = ConsoleStream::kStderr;
  ColorMode color = ColorMode::kAuto;
  RotatingOptions rotating;
  int daily_hour = 0;
  int daily_minute = 0;
  int daily_max_days = 7;
  std::string facility = "user";
  std::string app_name;
};

// ParseSinkSpec(): parses and checks `spec` (see above) without creating
// anything.
absl::StatusOr<std::vector<SinkConfig>> ParseSinkSpec(std::string_view spec);

// MakeSink(): creates the sink `config` describes; an error names it.
absl::StatusOr<std::shared_ptr<Sink>> MakeSink(const SinkConfig& config);

// ParseSinks(): ParseSinkSpec(), then MakeSink() for each; all or nothing.
absl::StatusOr<std::vector<std::shared_ptr<Sink>>> ParseSinks(
    std::string_view spec);

// ParseDuration(): "0", "500ms", "2s", "1min" (see DURATION above).
absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

// ParseByteSize(): "4096", "64MiB", "1GB" (see SIZE above).
absl::StatusOr<uint64_t> ParseByteSize(std::string_view text);

// MakeLoggerFromEnv(): a Logger with the sinks of the environment variable
// `env_var` when it is set and not empty, else of `fallback_spec`, and the
// levels of `level_env_var` (RELOG_LEVEL: "info,net=debug,db.pool=trace";
// see Logger::SetLevels()) when that is set and not empty, else
// options.level. A bad spec or level setting is an error that names the
// variable (or says it came from the fallback); nothing is created then.
absl::StatusOr<std::unique_ptr<Logger>> MakeLoggerFromEnv(
    LoggerOptions options, std::string_view fallback_spec = "console:stderr",
    const char* env_var = "RELOG_SINKS",
    const char* level_env_var = "RELOG_LEVEL");

}  // namespace relog

#endif  // RELOG_SINKS_SPEC_H_

// SPDX-License-Identifier: Apache-2.0
//
// logger/level.h: severity levels, their names, and parsing.
//
// Everything here is thread-safe (pure functions and constants).

#ifndef RELOG_LOGGER_LEVEL_H_
#define RELOG_LOGGER_LEVEL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"

namespace relog {

enum class Level : uint8_t {
  kTrace = 0,
  kDebug = 1,
  kInfo = 2,
  kWarn = 3,
  kError = 4,
  kFatal = 5,
  kOff = 6,  // as a threshold: nothing passes
};

// LevelName(): "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF".
std::string_view LevelName(Level level);

// ParseLevel(): accepts the names above in any case (and "warning"); an
// unknown name is an InvalidArgument error that quotes it.
absl::StatusOr<Level> ParseLevel(std::string_view text);

// Levels for named loggers (Logger::Child()), as RELOG_LEVEL gives them:
// comma-separated items, each a bare level (the default) or `path=level`,
// where a path is a logger's dotted name ("net", "db.pool"):
//
//   info,net=debug,db.pool=trace
//
// Spaces around items, names and levels are ignored; an empty spec sets
// nothing.
struct LevelSpec {
  // The bare level, if the spec has one.
  std::optional<Level> fallback;
  // path=level items, in the spec's order.
  std::vector<std::pair<std::string, Level>> named;

  // LevelSpec::Named(): the level of the longest path in `named` that is
  // `path` or one of its ancestors ("db" for "db.pool", not for "dbx"), if
  // any.
  std::optional<Level> Named(std::string_view path) const;
};

// ParseLevelSpec(): an InvalidArgument error names the item at fault: an
// unknown level, an empty or malformed path (parts of letters, digits, '_'
// and '-', joined by dots), a second bare level, a path given twice.
absl::StatusOr<LevelSpec> ParseLevelSpec(std::string_view text);

// IsLoggerPath(): whether `path` is one or more parts of letters, digits,
// '_' and '-', joined by single dots.
bool IsLoggerPath(std::string_view path);

}  // namespace relog

#endif  // RELOG_LOGGER_LEVEL_H_

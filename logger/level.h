// SPDX-License-Identifier: Apache-2.0
//
// logger/level.h: severity levels, their names, and the per-logger levels
// of a level spec. The parsers that turn text into these (and return an
// absl::Status) are in logger/level_parse.h, so that a file that logs does
// not parse Abseil's Status headers for them.
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

// Levels for named loggers (Logger::Child()), as RELOG_LEVEL gives them
// (ParseLevelSpec(), logger/level_parse.h):
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

// IsLoggerPath(): whether `path` is one or more parts of letters, digits,
// '_' and '-', joined by single dots.
bool IsLoggerPath(std::string_view path);

}  // namespace relog

#endif  // RELOG_LOGGER_LEVEL_H_

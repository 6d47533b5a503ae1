// SPDX-License-Identifier: Apache-2.0
//
// logger/level.h: severity levels, their names, and parsing.
//
// Everything here is thread-safe (pure functions and constants).

#ifndef RELOG_LOGGER_LEVEL_H_
#define RELOG_LOGGER_LEVEL_H_

#include <cstdint>
#include <string_view>

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

}  // namespace relog

#endif  // RELOG_LOGGER_LEVEL_H_

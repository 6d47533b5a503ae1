// SPDX-License-Identifier: Apache-2.0
//
// logger/level_parse.h: levels and level specs from text (a flag, an
// environment variable, a config file). Apart from logger/level.h so that
// only the files that parse pay for Abseil's Status headers.
//
// Everything here is thread-safe (pure functions).

#ifndef RELOG_LOGGER_LEVEL_PARSE_H_
#define RELOG_LOGGER_LEVEL_PARSE_H_

#include <string_view>

#include "absl/status/statusor.h"
#include "relog/logger/level.h"

namespace relog {

// ParseLevel(): accepts the names LevelName() gives in any case (and
// "warning"); an unknown name is an InvalidArgument error that quotes it.
absl::StatusOr<Level> ParseLevel(std::string_view text);

// ParseLevelSpec(): a LevelSpec from its text ("info,net=debug"). An
// InvalidArgument error names the item at fault: an unknown level, an empty
// or malformed path (parts of letters, digits, '_' and '-', joined by
// dots), a second bare level, a path given twice.
absl::StatusOr<LevelSpec> ParseLevelSpec(std::string_view text);

}  // namespace relog

#endif  // RELOG_LOGGER_LEVEL_PARSE_H_

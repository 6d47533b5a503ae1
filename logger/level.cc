// SPDX-License-Identifier: Apache-2.0

#include "logger/level.h"

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "logger/quote.h"

namespace relog {

namespace {
constexpr std::array<std::string_view, 7> kNames = {
    "TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "OFF"};
}  // namespace

std::string_view LevelName(Level level) {
  const auto i = static_cast<std::size_t>(level);
  return i < kNames.size() ? kNames[i] : "UNKNOWN";
}

absl::StatusOr<Level> ParseLevel(std::string_view text) {
  const std::string upper =
      absl::AsciiStrToUpper(absl::string_view(text.data(), text.size()));
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (upper == kNames[i]) return static_cast<Level>(i);
  }
  if (upper == "WARNING") return Level::kWarn;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown level ", Quote(text),
      " (expected trace, debug, info, warn, error, fatal or off)"));
}

}  // namespace relog

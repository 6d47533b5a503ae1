// SPDX-License-Identifier: Apache-2.0

#include "relog/logger/level.h"
#include "relog/logger/level_parse.h"

#include <array>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "relog/logger/quote.h"

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
      absl::AsciiStrToUpper(ToAbsl(text));
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (upper == kNames[i]) return static_cast<Level>(i);
  }
  if (upper == "WARNING") return Level::kWarn;
  return absl::InvalidArgumentError(absl::StrCat(
      "unknown level ", Quote(text),
      " (expected trace, debug, info, warn, error, fatal or off)"));
}

bool IsLoggerPath(std::string_view path) {
  if (path.empty()) return false;
  bool part_empty = true;
  for (const char c : path) {
    if (c == '.') {
      if (part_empty) return false;
      part_empty = true;
    } else if (absl::ascii_isalnum(static_cast<unsigned char>(c)) ||
               c == '_' || c == '-') {
      part_empty = false;
    } else {
      return false;
    }
  }
  return !part_empty;
}

std::optional<Level> LevelSpec::Named(std::string_view path) const {
  std::optional<Level> best;
  std::size_t best_size = 0;
  for (const auto& [name, level] : named) {
    const bool covers =
        path.size() >= name.size() && path.substr(0, name.size()) == name &&
        (path.size() == name.size() || path[name.size()] == '.');
    if (covers && name.size() >= best_size) {
      best = level;
      best_size = name.size();
    }
  }
  return best;
}

absl::StatusOr<LevelSpec> ParseLevelSpec(std::string_view text) {
  const auto trim = [](std::string_view s) {
    while (!s.empty() && absl::ascii_isspace(static_cast<unsigned char>(s[0]))) {
      s.remove_prefix(1);
    }
    while (!s.empty() &&
           absl::ascii_isspace(static_cast<unsigned char>(s.back()))) {
      s.remove_suffix(1);
    }
    return s;
  };
  LevelSpec spec;
  if (trim(text).empty()) return spec;
  std::string_view rest = text;
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trim(rest.substr(0, comma));
    const auto fail = [&](std::string_view why) {
      return absl::InvalidArgumentError(absl::StrCat(
          "level item ", Quote(item), ": ", ToAbsl(why)));
    };
    if (item.empty()) return fail("empty (two commas in a row?)");
    const std::size_t eq = item.find('=');
    const std::string_view level_text =
        trim(eq == item.npos ? item : item.substr(eq + 1));
    absl::StatusOr<Level> level = ParseLevel(level_text);
    if (!level.ok()) {
      const absl::string_view why = level.status().message();
      return fail(std::string_view(why.data(), why.size()));
    }
    if (eq == item.npos) {
      if (spec.fallback.has_value()) {
        return fail("a second bare level (one default level at most)");
      }
      spec.fallback = *level;
    } else {
      const std::string_view path = trim(item.substr(0, eq));
      if (path.empty()) return fail("no logger name before '='");
      if (!IsLoggerPath(path)) {
        return fail(absl::StrCat(
            "logger name ", Quote(path),
            " is not dotted parts of letters, digits, '_' and '-'"));
      }
      for (const auto& earlier : spec.named) {
        if (earlier.first == path) {
          return fail(absl::StrCat("logger ", Quote(path), " named twice"));
        }
      }
      spec.named.emplace_back(std::string(path), *level);
    }
    if (comma == rest.npos) break;
    rest.remove_prefix(comma + 1);
  }
  return spec;
}

}  // namespace relog

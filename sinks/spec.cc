// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/spec.h"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "relog/logger/level_parse.h"
#include "relog/logger/quote.h"
#include "relog/sinks/daily_file_sink.h"
#include "relog/sinks/file_sink.h"
#include "relog/sinks/json_formatter.h"
#include "relog/sinks/log_file.h"
#include "relog/sinks/null_sink.h"
#include "relog/sinks/pattern_formatter.h"

namespace relog {
namespace {

constexpr std::string_view kDurationUnits =
    "0, or a whole number with a unit: ms, s or min (\"500ms\", \"2s\")";

constexpr std::string_view kSizeUnits =
    "a number of bytes, optionally with a unit: B, KB, KiB, MB, MiB, GB or "
    "GiB";

absl::Status SpecError(std::string_view what, std::size_t position,
                       std::string_view hint = {}) {
  std::string message =
      absl::StrCat("sink spec: ", ToAbsl(what), " at position ", position);
  if (!hint.empty()) absl::StrAppend(&message, " (", ToAbsl(hint), ")");
  return absl::InvalidArgumentError(message);
}

// One character of the spec, escapes resolved, with its 1-based position.
struct SpecChar {
  char c;
  std::size_t position;
  bool escaped;
};

// A stretch of the spec (a field, a key, a value) with the positions of its
// characters, so that errors can point into the spec.
class Piece {
 public:
  Piece(std::vector<SpecChar> chars, std::size_t position)
      : chars_(std::move(chars)), position_(position) {}

  bool empty() const { return chars_.empty(); }
  std::size_t size() const { return chars_.size(); }
  // Where the piece starts (where it would be, when empty).
  std::size_t position() const {
    return chars_.empty() ? position_ : chars_.front().position;
  }
  std::string text() const {
    std::string out;
    for (const SpecChar& c : chars_) out.push_back(c.c);
    return out;
  }
  // The index of the first unescaped `c`, or npos.
  std::size_t Find(char c) const {
    for (std::size_t i = 0; i < chars_.size(); ++i) {
      if (chars_[i].c == c && !chars_[i].escaped) return i;
    }
    return std::string::npos;
  }
  Piece Sub(std::size_t begin, std::size_t end) const {
    end = std::min(end, chars_.size());
    begin = std::min(begin, end);
    std::size_t position = position_;
    if (begin < chars_.size()) {
      position = chars_[begin].position;
    } else if (!chars_.empty()) {
      position = chars_.back().position + 1;
    }
    return Piece(
        std::vector<SpecChar>(chars_.begin() + begin, chars_.begin() + end),
        position);
  }

 private:
  std::vector<SpecChar> chars_;
  std::size_t position_;
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// Splits the spec into sinks (at ';') and each sink into fields (at ','),
// resolving escapes and dropping unescaped blanks at the edges of fields.
absl::StatusOr<std::vector<std::vector<Piece>>> Tokenize(
    std::string_view spec) {
  std::vector<std::vector<Piece>> items;
  std::vector<Piece> fields;
  std::vector<SpecChar> current;
  std::size_t current_start = 1;
  auto end_field = [&](std::size_t next_start) {
    while (!current.empty() && !current.back().escaped &&
           IsBlank(current.back().c)) {
      current.pop_back();
    }
    fields.emplace_back(std::move(current), current_start);
    current.clear();
    current_start = next_start;
  };
  for (std::size_t i = 0; i < spec.size(); ++i) {
    const char c = spec[i];
    const std::size_t position = i + 1;
    if (c == '\\') {
      if (i + 1 == spec.size()) {
        return SpecError("a '\\' ends the spec", position,
                         "write '\\\\' for a backslash");
      }
      current.push_back({spec[i + 1], position, true});
      ++i;
    } else if (c == ',' || c == ';') {
      end_field(position + 1);
      if (c == ';') {
        items.push_back(std::move(fields));
        fields.clear();
      }
    } else if (IsBlank(c) && current.empty()) {
      current_start = position + 1;
    } else {
      current.push_back({c, position, false});
    }
  }
  end_field(spec.size() + 1);
  items.push_back(std::move(fields));
  return items;
}

struct KindInfo {
  SinkKind kind;
  std::string_view name;
  // Keys this kind accepts, for the check and for the error message.
  std::string_view keys;
};

constexpr std::array<KindInfo, 6> kKinds = {{
    {SinkKind::kConsole, "console",
     "level, overflow, retry, format, pattern, color"},
    {SinkKind::kFile, "file", "level, overflow, retry, format, pattern, fsync"},
    {SinkKind::kRotating, "rotating",
     "level, overflow, retry, format, pattern, fsync, max_size, max_files, "
     "compress"},
    {SinkKind::kDaily, "daily",
     "level, overflow, retry, format, pattern, fsync, hour, minute, "
     "max_days, compress"},
    {SinkKind::kSyslog, "syslog", "level, overflow, retry, facility, app_name"},
    {SinkKind::kNull, "null", "level, overflow, retry"},
}};

const KindInfo& Info(SinkKind kind) {
  for (const KindInfo& info : kKinds) {
    if (info.kind == kind) return info;
  }
  return kKinds.back();
}

bool AcceptsKey(const KindInfo& info, std::string_view key) {
  std::string_view keys = info.keys;
  while (!keys.empty()) {
    const std::size_t comma = keys.find(',');
    const std::string_view k = keys.substr(0, comma);
    if (k == key) return true;
    if (comma == std::string_view::npos) break;
    keys.remove_prefix(comma + 2);  // ", "
  }
  return false;
}

// A whole number in [min, max], digits only.
std::optional<int> ParseBoundedInt(std::string_view text, int min, int max) {
  if (text.empty() || text.size() > 9 ||
      text.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  int value = 0;
  if (!absl::SimpleAtoi(ToAbsl(text), &value) || value < min || value > max) {
    return std::nullopt;
  }
  return value;
}

// Applies one key=value to `config`. `pattern_position` records where a
// pattern was given, for the checks made after all options are read.
absl::Status ApplyOption(const std::string& key, const Piece& value_piece,
                         SinkConfig& config, std::size_t& pattern_position) {
  const std::string value = value_piece.text();
  const std::size_t at = value_piece.position();
  const auto bad = [&](std::string_view hint) {
    return SpecError(absl::StrCat("bad ", key, " ", Quote(value)), at, hint);
  };
  if (key == "level") {
    absl::StatusOr<Level> level = ParseLevel(value);
    if (!level.ok()) {
      return bad("expected trace, debug, info, warn, error, fatal or off");
    }
    config.level = *level;
  } else if (key == "fsync") {
    absl::StatusOr<Level> level = ParseLevel(value);
    if (!level.ok()) {
      return bad(
          "expected the level from which a batch is synced: trace, debug, "
          "info, warn, error, fatal, or off");
    }
    config.fsync = *level;
  } else if (key == "compress") {
    if (value == "gzip") {
      config.compress = Compression::kGzip;
    } else if (value == "none") {
      config.compress = Compression::kNone;
    } else {
      return bad("expected gzip or none");
    }
  } else if (key == "overflow") {
    if (value == "block") {
      config.overflow = OverflowPolicy::kBlock;
    } else if (value == "drop") {
      config.overflow = OverflowPolicy::kDrop;
    } else {
      return bad("expected block or drop");
    }
  } else if (key == "retry") {
    absl::StatusOr<std::chrono::milliseconds> retry = ParseDuration(value);
    if (!retry.ok()) return bad(kDurationUnits);
    config.retry = *retry;
  } else if (key == "format") {
    if (value == "text") {
      config.format = SinkFormat::kText;
    } else if (value == "json") {
      config.format = SinkFormat::kJson;
    } else {
      return bad("expected text or json");
    }
  } else if (key == "pattern") {
    config.pattern = value;
    pattern_position = at;
  } else if (key == "color") {
    if (value == "auto") {
      config.color = ColorMode::kAuto;
    } else if (value == "always") {
      config.color = ColorMode::kAlways;
    } else if (value == "never") {
      config.color = ColorMode::kNever;
    } else {
      return bad("expected auto, always or never");
    }
  } else if (key == "max_size") {
    absl::StatusOr<uint64_t> size = ParseByteSize(value);
    if (!size.ok()) return bad(kSizeUnits);
    if (*size == 0)
      return bad("a rotating file needs room for at least 1 byte");
    config.rotating.max_size = *size;
  } else if (key == "max_files") {
    const std::optional<int> n = ParseBoundedInt(value, 1, 100000);
    if (!n) return bad("expected a whole number from 1 to 100000");
    config.rotating.max_files = *n;
  } else if (key == "hour") {
    const std::optional<int> n = ParseBoundedInt(value, 0, 23);
    if (!n) return bad("expected a whole number from 0 to 23");
    config.daily_hour = *n;
  } else if (key == "minute") {
    const std::optional<int> n = ParseBoundedInt(value, 0, 59);
    if (!n) return bad("expected a whole number from 0 to 59");
    config.daily_minute = *n;
  } else if (key == "max_days") {
    const std::optional<int> n = ParseBoundedInt(value, 0, 100000);
    if (!n) return bad("expected a whole number from 0 (keep all) to 100000");
    config.daily_max_days = *n;
  } else if (key == "facility") {
    if (!ParseSyslogFacility(value).ok()) {
      return bad(
          "expected kern, user, mail, daemon, auth, syslog, lpr, news, uucp, "
          "cron, authpriv, ftp or local0 to local7");
    }
    config.facility = value;
  } else if (key == "app_name") {
    config.app_name = value;
  }
  return absl::OkStatus();
}

// The kind before the ':' of a sink's first field.
absl::StatusOr<const KindInfo*> ParseKind(const Piece& kind_piece) {
  const std::string kind_text = kind_piece.text();
  if (kind_text.empty()) {
    return SpecError("missing kind", kind_piece.position(),
                     "expected console, file, rotating, daily, syslog or null "
                     "before ':'");
  }
  for (const KindInfo& k : kKinds) {
    if (k.name == kind_text) return &k;
  }
  return SpecError(absl::StrCat("unknown kind ", Quote(kind_text)),
                   kind_piece.position(),
                   "expected console, file, rotating, daily, syslog or null");
}

// The target after the ':' of the first field `head` (`has_target`: there
// is a ':'), checked for config.kind; sets config.target (and the console
// stream).
absl::Status ParseTarget(const KindInfo& info, const Piece& head,
                         const Piece& target_piece, bool has_target,
                         SinkConfig& config) {
  config.target = target_piece.text();
  if (has_target && config.target.empty()) {
    return SpecError(absl::StrCat("empty target for ", ToAbsl(info.name)),
                     target_piece.position());
  }
  switch (config.kind) {
    case SinkKind::kConsole:
      if (!has_target || config.target == "stderr") {
        config.target = "stderr";
        config.stream = ConsoleStream::kStderr;
      } else if (config.target == "stdout") {
        config.stream = ConsoleStream::kStdout;
      } else {
        return SpecError(
            absl::StrCat("bad console target ", Quote(config.target)),
            target_piece.position(), "expected stdout or stderr");
      }
      break;
    case SinkKind::kFile:
    case SinkKind::kRotating:
    case SinkKind::kDaily:
      if (!has_target) {
        return SpecError(absl::StrCat("missing target for ", ToAbsl(info.name)),
                         head.position(),
                         absl::StrCat("write ", ToAbsl(info.name), ":PATH"));
      }
      break;
    case SinkKind::kSyslog: {
      if (!has_target) {
        return SpecError("missing target for syslog", head.position(),
                         "write syslog:udp://host:port, "
                         "syslog:tcp://host:port or syslog:unix:///path");
      }
      absl::StatusOr<SyslogTarget> target = ParseSyslogTarget(config.target);
      if (!target.ok()) {
        return SpecError(
            absl::StrCat("bad syslog target ", Quote(config.target)),
            target_piece.position(), std::string(target.status().message()));
      }
      break;
    }
    case SinkKind::kNull:
      if (has_target) {
        return SpecError(
            absl::StrCat("null takes no target, got ", Quote(config.target)),
            target_piece.position());
      }
      break;
  }
  return absl::OkStatus();
}

// One option field, "key=value", split and checked: a key the kind
// accepts, not given before (`seen`: key -> its position), a value.
absl::StatusOr<std::pair<std::string, Piece>> SplitOption(
    const Piece& field, const KindInfo& info,
    std::map<std::string, std::size_t>& seen) {
  if (field.empty()) {
    return SpecError("empty option", field.position(),
                     "two ',' in a row, or a ',' at the end of a sink?");
  }
  const std::size_t eq = field.Find('=');
  const Piece key_piece = field.Sub(0, eq);
  std::string key = key_piece.text();
  if (eq == std::string::npos) {
    return SpecError(absl::StrCat("option ", Quote(key), " without a value"),
                     field.position(), "expected key=value");
  }
  if (key.empty()) {
    return SpecError("option without a key", field.position(),
                     "expected key=value");
  }
  if (!AcceptsKey(info, key)) {
    return SpecError(
        absl::StrCat("unknown key ", Quote(key), " for ", ToAbsl(info.name)),
        key_piece.position(), absl::StrCat("expected ", ToAbsl(info.keys)));
  }
  const auto [previous, inserted] = seen.emplace(key, key_piece.position());
  if (!inserted) {
    return SpecError(absl::StrCat("duplicate key ", Quote(key)),
                     key_piece.position(),
                     absl::StrCat("first at position ", previous->second));
  }
  Piece value_piece = field.Sub(eq + 1, field.size());
  if (value_piece.empty()) {
    return SpecError(absl::StrCat("empty value for ", Quote(key)),
                     value_piece.position());
  }
  return std::make_pair(std::move(key), std::move(value_piece));
}

// A pattern goes with format=text only, and must compile.
absl::Status CheckPattern(const SinkConfig& config,
                          std::size_t pattern_position) {
  if (config.pattern.empty()) return absl::OkStatus();
  if (config.format == SinkFormat::kJson) {
    return SpecError("a pattern with format=json", pattern_position,
                     "a pattern applies to format=text only");
  }
  absl::StatusOr<std::unique_ptr<PatternFormatter>> formatter =
      PatternFormatter::Create(config.pattern);
  if (!formatter.ok()) {
    return SpecError(absl::StrCat("bad pattern ", Quote(config.pattern)),
                     pattern_position,
                     std::string(formatter.status().message()));
  }
  return absl::OkStatus();
}

// One sink: its first field "kind[:target]", then its key=value options.
absl::StatusOr<SinkConfig> ParseSink(const std::vector<Piece>& fields) {
  const Piece& head = fields.front();
  if (head.empty()) {
    return SpecError("empty sink", head.position(),
                     "two ';' in a row, or a ';' at an end?");
  }
  SinkConfig config;
  config.position = head.position();
  const std::size_t colon = head.Find(':');
  absl::StatusOr<const KindInfo*> info = ParseKind(head.Sub(0, colon));
  if (!info.ok()) return info.status();
  config.kind = (*info)->kind;
  const bool has_target = colon != std::string::npos;
  const Piece target_piece =
      head.Sub(has_target ? colon + 1 : head.size(), head.size());
  if (absl::Status s =
          ParseTarget(**info, head, target_piece, has_target, config);
      !s.ok()) {
    return s;
  }
  std::map<std::string, std::size_t> seen;  // key -> its position
  std::size_t pattern_position = 0;
  for (std::size_t i = 1; i < fields.size(); ++i) {
    absl::StatusOr<std::pair<std::string, Piece>> option =
        SplitOption(fields[i], **info, seen);
    if (!option.ok()) return option.status();
    if (absl::Status s = ApplyOption(option->first, option->second, config,
                                     pattern_position);
        !s.ok()) {
      return s;
    }
  }
  if (absl::Status s = CheckPattern(config, pattern_position); !s.ok()) {
    return s;
  }
  return config;
}

absl::StatusOr<std::unique_ptr<Formatter>> MakeFormatter(
    const SinkConfig& config) {
  if (config.format == SinkFormat::kJson) {
    return std::unique_ptr<Formatter>(std::make_unique<JsonFormatter>());
  }
  if (config.pattern.empty()) return std::unique_ptr<Formatter>();
  absl::StatusOr<std::unique_ptr<PatternFormatter>> formatter =
      PatternFormatter::Create(config.pattern);
  if (!formatter.ok()) return formatter.status();
  return std::unique_ptr<Formatter>(*std::move(formatter));
}

template <typename T>
absl::StatusOr<std::shared_ptr<Sink>> Upcast(
    absl::StatusOr<std::shared_ptr<T>> sink) {
  if (!sink.ok()) return sink.status();
  return std::shared_ptr<Sink>(*std::move(sink));
}

absl::StatusOr<std::shared_ptr<Sink>> MakeSinkOfKind(
    const SinkConfig& config, std::unique_ptr<Formatter> formatter) {
  switch (config.kind) {
    case SinkKind::kConsole:
      return std::shared_ptr<Sink>(std::make_shared<ConsoleSink>(
          config.stream, std::move(formatter), config.color));
    case SinkKind::kFile:
      return Upcast(FileSink::Open(config.target, std::move(formatter)));
    case SinkKind::kRotating: {
      RotatingOptions options = config.rotating;
      options.compress = config.compress;
      return Upcast(RotatingFileSink::Open(config.target, options,
                                           std::move(formatter)));
    }
    case SinkKind::kDaily: {
      DailyOptions options;
      options.hour = config.daily_hour;
      options.minute = config.daily_minute;
      options.max_days = config.daily_max_days;
      options.compress = config.compress;
      return Upcast(DailyFileSink::Open(config.target, std::move(options),
                                        std::move(formatter)));
    }
    case SinkKind::kSyslog: {
      SyslogOptions options;
      options.facility = config.facility;
      options.app_name = config.app_name;
      return Upcast(SyslogSink::Create(config.target, std::move(options)));
    }
    case SinkKind::kNull:
      return std::shared_ptr<Sink>(std::make_shared<NullSink>());
  }
  return absl::InternalError("sink spec: unhandled kind");
}

}  // namespace

absl::StatusOr<uint64_t> ParseByteSize(std::string_view text) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad size ", Quote(text), " (expected ", ToAbsl(kSizeUnits), ")"));
  };
  const std::size_t digits = text.find_first_not_of("0123456789");
  const std::string_view number = text.substr(0, digits);
  const std::string unit = absl::AsciiStrToLower(
      ToAbsl(digits == std::string_view::npos ? std::string_view()
                                          : text.substr(digits)));
  if (number.empty()) return bad();
  uint64_t value = 0;
  if (!absl::SimpleAtoi(ToAbsl(number), &value)) return bad();
  uint64_t multiplier = 0;
  if (unit.empty() || unit == "b") {
    multiplier = 1;
  } else if (unit == "kb") {
    multiplier = 1000;
  } else if (unit == "kib") {
    multiplier = uint64_t{1} << 10;
  } else if (unit == "mb") {
    multiplier = 1000 * 1000;
  } else if (unit == "mib") {
    multiplier = uint64_t{1} << 20;
  } else if (unit == "gb") {
    multiplier = 1000 * 1000 * 1000;
  } else if (unit == "gib") {
    multiplier = uint64_t{1} << 30;
  } else {
    return bad();
  }
  if (value > std::numeric_limits<uint64_t>::max() / multiplier) return bad();
  return value * multiplier;
}

absl::StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const auto bad = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "bad duration ", Quote(text), " (expected ", ToAbsl(kDurationUnits), ")"));
  };
  if (text == "0") return std::chrono::milliseconds(0);
  const std::size_t digits = text.find_first_not_of("0123456789");
  if (digits == 0 || digits == std::string_view::npos || digits > 9) {
    return bad();
  }
  int64_t value = 0;
  if (!absl::SimpleAtoi(ToAbsl(text.substr(0, digits)), &value)) return bad();
  const std::string_view unit = text.substr(digits);
  if (unit == "ms") return std::chrono::milliseconds(value);
  if (unit == "s") return std::chrono::milliseconds(value * 1000);
  if (unit == "min") return std::chrono::milliseconds(value * 60000);
  return bad();
}

absl::StatusOr<std::vector<SinkConfig>> ParseSinkSpec(std::string_view spec) {
  if (spec.find_first_not_of(" \t") == std::string_view::npos) {
    return absl::InvalidArgumentError(
        "sink spec: empty (expected kind[:target][,key=value]..., sinks "
        "separated by ';', for example 'console:stderr')");
  }
  absl::StatusOr<std::vector<std::vector<Piece>>> items = Tokenize(spec);
  if (!items.ok()) return items.status();
  std::vector<SinkConfig> configs;
  for (const std::vector<Piece>& fields : *items) {
    absl::StatusOr<SinkConfig> config = ParseSink(fields);
    if (!config.ok()) return config.status();
    configs.push_back(*std::move(config));
  }
  return configs;
}

absl::StatusOr<std::shared_ptr<Sink>> MakeSink(const SinkConfig& config) {
  const std::string name =
      config.kind == SinkKind::kNull
          ? std::string("null")
          : absl::StrCat(ToAbsl(Info(config.kind).name), ":", config.target);
  const auto failed = [&](const absl::Status& status) {
    return absl::Status(
        status.code(),
        absl::StrCat("sink spec: cannot create ", name, " (at position ",
                     config.position, "): ", status.message()));
  };
  absl::StatusOr<std::unique_ptr<Formatter>> formatter = MakeFormatter(config);
  if (!formatter.ok()) return failed(formatter.status());
  absl::StatusOr<std::shared_ptr<Sink>> sink =
      MakeSinkOfKind(config, *std::move(formatter));
  if (!sink.ok()) return failed(sink.status());
  if (config.level.has_value()) (*sink)->set_level(*config.level);
  if (config.overflow.has_value()) (*sink)->set_overflow(*config.overflow);
  if (config.retry.has_value()) (*sink)->set_retry_for(*config.retry);
  if (config.fsync.has_value()) (*sink)->set_sync_level(*config.fsync);
  return sink;
}

absl::StatusOr<std::vector<std::shared_ptr<Sink>>> ParseSinks(
    std::string_view spec) {
  absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(spec);
  if (!configs.ok()) return configs.status();
  // All or nothing: on an error the sinks made so far are destroyed (their
  // files closed, their sockets too) and the files they created removed.
  sink_internal::CreatedFiles created;
  std::vector<std::shared_ptr<Sink>> sinks;
  for (const SinkConfig& config : *configs) {
    absl::StatusOr<std::shared_ptr<Sink>> sink = MakeSink(config);
    if (!sink.ok()) {
      sinks.clear();
      created.RemoveAll();
      return sink.status();
    }
    sinks.push_back(*std::move(sink));
  }
  return sinks;
}

absl::StatusOr<std::unique_ptr<Logger>> MakeLoggerFromEnv(
    LoggerOptions options, std::string_view fallback_spec, const char* env_var,
    const char* level_env_var) {
  const char* levels =
      level_env_var != nullptr ? std::getenv(level_env_var) : nullptr;
  LevelSpec level_spec;
  if (levels != nullptr && levels[0] != '\0') {
    absl::StatusOr<LevelSpec> parsed = ParseLevelSpec(levels);
    if (!parsed.ok()) {
      return absl::Status(parsed.status().code(),
                          absl::StrCat("$", level_env_var, ": ",
                                       parsed.status().message()));
    }
    level_spec = *std::move(parsed);
  }
  const char* value = env_var != nullptr ? std::getenv(env_var) : nullptr;
  const bool from_env = value != nullptr && value[0] != '\0';
  absl::StatusOr<std::vector<std::shared_ptr<Sink>>> sinks =
      ParseSinks(from_env ? std::string_view(value) : fallback_spec);
  if (!sinks.ok()) {
    return absl::Status(
        sinks.status().code(),
        absl::StrCat(from_env ? absl::StrCat("$", env_var)
                              : std::string("the fallback spec"),
                     ": ", sinks.status().message()));
  }
  auto logger =
      std::make_unique<Logger>(std::move(options), *std::move(sinks));
  logger->SetLevels(level_spec);
  return logger;
}

}  // namespace relog

// SPDX-License-Identifier: Apache-2.0

#include "relog/sinks/pattern_formatter.h"

#include <utility>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "relog/logger/level.h"
#include "relog/logger/quote.h"
#include "relog/logger/thread_name.h"

namespace relog {
namespace {

constexpr std::string_view kKnownFlags =
    "%D %T %Y %m %d %H %M %S %e %f %F %l %L %n %t %N %s %g %# %! %v %K %%";

}  // namespace

absl::StatusOr<std::unique_ptr<PatternFormatter>> PatternFormatter::Create(
    std::string_view pattern, PatternOptions options) {
  std::unique_ptr<PatternFormatter> f(
      new PatternFormatter(std::string(pattern), options));
  std::string& literals = f->literals_;
  std::vector<Step>& steps = f->steps_;
  // Appends literal text, merging it with a literal step just before.
  auto add_literal = [&](std::string_view text) {
    if (steps.empty() || steps.back().field != Field::kLiteral) {
      steps.push_back(
          Step{Field::kLiteral, static_cast<uint32_t>(literals.size()), 0});
    }
    literals.append(text);
    steps.back().size += static_cast<uint32_t>(text.size());
  };
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] != '%') {
      add_literal(pattern.substr(i, 1));
      continue;
    }
    if (i + 1 == pattern.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "pattern ", Quote(pattern), " ends with a lone '%' at position ", i,
          "; write \"%%\" for a literal percent sign"));
    }
    const char flag = pattern[++i];
    Field field;
    switch (flag) {
      case '%':
        add_literal("%");
        continue;
      case 'D':
        field = Field::kDate;
        break;
      case 'T':
        field = Field::kTime;
        break;
      case 'Y':
        field = Field::kYear;
        break;
      case 'm':
        field = Field::kMonth;
        break;
      case 'd':
        field = Field::kDay;
        break;
      case 'H':
        field = Field::kHour;
        break;
      case 'M':
        field = Field::kMinute;
        break;
      case 'S':
        field = Field::kSecond;
        break;
      case 'e':
        field = Field::kMillis;
        break;
      case 'f':
        field = Field::kMicros;
        break;
      case 'F':
        field = Field::kNanos;
        break;
      case 'l':
        field = Field::kLevel;
        break;
      case 'L':
        field = Field::kLevelPadded;
        break;
      case 'n':
        field = Field::kLogger;
        break;
      case 't':
        field = Field::kThread;
        break;
      case 'N':
        field = Field::kThreadName;
        break;
      case 's':
        field = Field::kFileBase;
        break;
      case 'g':
        field = Field::kFilePath;
        break;
      case '#':
        field = Field::kLine;
        break;
      case '!':
        field = Field::kFunction;
        break;
      case 'v':
        field = Field::kMessage;
        break;
      case 'K':
        field = Field::kContext;
        break;
      default:
        return absl::InvalidArgumentError(absl::StrCat(
            "pattern ", Quote(pattern), ": unknown flag ",
            Quote(std::string{'%', flag}), " at position ", i - 1,
            "; known flags: ", ToAbsl(kKnownFlags)));
    }
    steps.push_back(Step{field, 0, 0});
  }
  return f;
}

PatternFormatter::PatternFormatter(std::string pattern, PatternOptions options)
    : pattern_(std::move(pattern)), options_(options), seconds_(options.utc) {}

void PatternFormatter::Format(const Entry& entry, fmt::memory_buffer& out) {
  const int64_t ts = entry.timestamp_ns();
  // The cached text of the second, fetched on the first time field.
  const char* clock = nullptr;
  auto clock_text = [&](std::size_t offset, std::size_t size) {
    if (clock == nullptr) clock = seconds_.Get(ts);
    return std::string_view(clock + offset, size);
  };
  constexpr std::size_t kTime = SecondsCache::kTimeOffset;
  for (const Step& step : steps_) {
    switch (step.field) {
      case Field::kLiteral:
        out.append(std::string_view(literals_.data() + step.begin, step.size));
        break;
      case Field::kDate:
        out.append(clock_text(SecondsCache::kDateOffset, 10));
        break;
      case Field::kTime:
        out.append(clock_text(kTime, 8));
        break;
      case Field::kYear:
        out.append(clock_text(SecondsCache::kDateOffset, 4));
        break;
      case Field::kMonth:
        out.append(clock_text(SecondsCache::kDateOffset + 5, 2));
        break;
      case Field::kDay:
        out.append(clock_text(SecondsCache::kDateOffset + 8, 2));
        break;
      case Field::kHour:
        out.append(clock_text(kTime, 2));
        break;
      case Field::kMinute:
        out.append(clock_text(kTime + 3, 2));
        break;
      case Field::kSecond:
        out.append(clock_text(kTime + 6, 2));
        break;
      case Field::kMillis:
        AppendZeroPadded(static_cast<uint32_t>(SubsecondNanos(ts) / 1000000), 3,
                         out);
        break;
      case Field::kMicros:
        AppendZeroPadded(static_cast<uint32_t>(SubsecondNanos(ts) / 1000), 6,
                         out);
        break;
      case Field::kNanos:
        AppendZeroPadded(static_cast<uint32_t>(SubsecondNanos(ts)), 9, out);
        break;
      case Field::kLevel:
        out.append(LevelName(entry.level()));
        break;
      case Field::kLevelPadded: {
        const std::string_view name = LevelName(entry.level());
        out.append(name);
        for (std::size_t n = name.size(); n < 5; ++n) out.push_back(' ');
        break;
      }
      case Field::kLogger:
        out.append(entry.logger_name());
        break;
      case Field::kThread:
        out.append(fmt::format_int(entry.thread_id()));
        break;
      case Field::kThreadName: {
        char name[kMaxThreadName];
        const std::size_t n =
            logger_internal::ThreadNameOf(entry.thread_id(), name);
        if (n == 0) {
          out.append(fmt::format_int(entry.thread_id()));
        } else {
          AppendEscapedText(std::string_view(name, n), out);
        }
        break;
      }
      case Field::kFileBase:
        out.append(Basename(entry.location().file));
        break;
      case Field::kContext:
        AppendContextText(entry, out, /*leading_space=*/false);
        break;
      case Field::kFilePath:
        out.append(std::string_view(entry.location().file));
        break;
      case Field::kLine:
        out.append(fmt::format_int(entry.location().line));
        break;
      case Field::kFunction:
        out.append(std::string_view(entry.location().function));
        break;
      case Field::kMessage:
        if (entry.backtrace()) out.append(kBacktraceMark);
        if (options_.escape_control) {
          AppendEscapedText(entry.message(), out);
        } else {
          out.append(entry.message());
        }
        break;
    }
  }
  out.push_back('\n');
}

}  // namespace relog

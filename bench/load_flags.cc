// SPDX-License-Identifier: Apache-2.0

#include "bench/load_flags.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <utility>

#include "fmt/format.h"
#include "relog/logger/level.h"
#include "relog/sinks/spec.h"

namespace relog::load {
namespace {

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t end = text.find(sep, start);
    parts.push_back(text.substr(start, end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

absl::Status Invalid(const std::string& message) {
  return absl::InvalidArgumentError(message);
}

// The one of `values` that `name` calls `text`, if any: the parsers of the
// enums below, each the inverse of its ...Name() function.
template <typename E, typename Name>
std::optional<E> FindByName(std::string_view text,
                            std::initializer_list<E> values, Name name) {
  for (const E value : values) {
    if (text == name(value)) return value;
  }
  return std::nullopt;
}

}  // namespace

std::string_view LoggerKindName(LoggerKind kind) {
  switch (kind) {
    case LoggerKind::kRelog:
      return "relog";
    case LoggerKind::kRelogEager:
      return "relog-eager";
    case LoggerKind::kSpdlog:
      return "spdlog";
    case LoggerKind::kFormat:
      return "format";
  }
  return "?";
}

absl::StatusOr<LoggerKind> ParseLoggerKind(std::string_view text) {
  if (const std::optional<LoggerKind> kind = FindByName(
          text,
          {LoggerKind::kRelog, LoggerKind::kRelogEager, LoggerKind::kSpdlog,
           LoggerKind::kFormat},
          LoggerKindName)) {
    return *kind;
  }
  return Invalid(fmt::format(
      "unknown logger \"{}\" (expected relog, relog-eager, spdlog or format)",
      text));
}

std::string_view WorkloadName(Workload workload) {
  switch (workload) {
    case Workload::kLatency:
      return "latency";
    case Workload::kThroughput:
      return "throughput";
    case Workload::kIdle:
      return "idle";
  }
  return "?";
}

absl::StatusOr<Workload> ParseWorkload(std::string_view text) {
  if (const std::optional<Workload> workload = FindByName(
          text, {Workload::kLatency, Workload::kThroughput, Workload::kIdle},
          WorkloadName)) {
    return *workload;
  }
  return Invalid(fmt::format(
      "unknown workload \"{}\" (expected latency, throughput or idle)", text));
}

absl::StatusOr<std::vector<Workload>> ParseWorkloadList(std::string_view text) {
  if (text.empty())
    return std::vector<Workload>{Workload::kLatency, Workload::kThroughput};
  std::vector<Workload> out;
  for (std::string_view part : Split(text, ',')) {
    absl::StatusOr<Workload> w = ParseWorkload(part);
    if (!w.ok()) return w.status();
    if (std::find(out.begin(), out.end(), *w) != out.end()) {
      return Invalid(fmt::format("--workload: \"{}\" given twice", part));
    }
    out.push_back(*w);
  }
  return out;
}

absl::StatusOr<std::vector<int>> ParseThreadList(std::string_view text) {
  if (text.empty()) return std::vector<int>{1, 2};
  std::vector<int> out;
  for (std::string_view part : Split(text, ',')) {
    int n = 0;
    const auto [end, ec] =
        std::from_chars(part.data(), part.data() + part.size(), n);
    if (part.empty() || ec != std::errc() || end != part.data() + part.size()) {
      return Invalid(fmt::format(
          "--threads: \"{}\" is not a number (expected e.g. 2 or 1,2,4)",
          part));
    }
    if (n < 1 || n > 256) {
      return Invalid(fmt::format("--threads: {} is out of range [1, 256]", n));
    }
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      return Invalid(fmt::format("--threads: {} given twice", n));
    }
    out.push_back(n);
  }
  return out;
}

absl::StatusOr<ChildSpec> ParseChildSpec(std::string_view text) {
  const std::vector<std::string_view> parts = Split(text, ':');
  if (parts.size() != 3) {
    return Invalid(
        fmt::format("--child: \"{}\" is not LOGGER:WORKLOAD:THREADS", text));
  }
  ChildSpec spec;
  absl::StatusOr<LoggerKind> logger = ParseLoggerKind(parts[0]);
  if (!logger.ok()) return logger.status();
  absl::StatusOr<Workload> workload = ParseWorkload(parts[1]);
  if (!workload.ok()) return workload.status();
  absl::StatusOr<std::vector<int>> threads = ParseThreadList(parts[2]);
  if (parts[2].empty() || !threads.ok() || threads->size() != 1) {
    return Invalid(fmt::format("--child: bad thread count in \"{}\"", text));
  }
  spec.logger = *logger;
  spec.workload = *workload;
  spec.threads = (*threads)[0];
  return spec;
}

std::string FormatChildSpec(const ChildSpec& spec) {
  return fmt::format("{}:{}:{}", LoggerKindName(spec.logger),
                     WorkloadName(spec.workload), spec.threads);
}

std::string_view CompareName(Compare compare) {
  return compare == Compare::kSpdlog ? "spdlog" : "none";
}

absl::StatusOr<Compare> ParseCompare(std::string_view text) {
  if (const std::optional<Compare> compare =
          FindByName(text, {Compare::kSpdlog, Compare::kNone}, CompareName)) {
    return *compare;
  }
  return Invalid(fmt::format(
      "--compare: \"{}\" is not a comparison (expected spdlog or none)", text));
}

std::string_view PolicyName(Policy policy) {
  return policy == Policy::kBlock ? "block" : "drop";
}

absl::StatusOr<Policy> ParsePolicy(std::string_view text) {
  if (const std::optional<Policy> policy =
          FindByName(text, {Policy::kBlock, Policy::kDrop}, PolicyName)) {
    return *policy;
  }
  return Invalid(fmt::format(
      "--policy: \"{}\" is not a policy (expected block or drop)", text));
}

namespace {

// AbslParseFlag() through one of the parsers above.
template <typename Parser, typename Store>
bool ParseFlagWith(absl::string_view text, Parser parse, Store store,
                   std::string* error) {
  auto value = parse(std::string_view(text.data(), text.size()));
  if (!value.ok()) {
    *error = std::string(value.status().message());
    return false;
  }
  store(*std::move(value));
  return true;
}

}  // namespace

bool AbslParseFlag(absl::string_view text, ThreadList* out,
                   std::string* error) {
  return ParseFlagWith(
      text, ParseThreadList,
      [out](std::vector<int> v) { out->counts = std::move(v); }, error);
}

std::string AbslUnparseFlag(const ThreadList& list) {
  std::string out;
  for (const int n : list.counts) {
    if (!out.empty()) out += ',';
    out += std::to_string(n);
  }
  return out;
}

bool AbslParseFlag(absl::string_view text, WorkloadList* out,
                   std::string* error) {
  return ParseFlagWith(
      text, ParseWorkloadList,
      [out](std::vector<Workload> v) { out->workloads = std::move(v); }, error);
}

std::string AbslUnparseFlag(const WorkloadList& list) {
  std::string out;
  for (const Workload w : list.workloads) {
    if (!out.empty()) out += ',';
    out += WorkloadName(w);
  }
  return out;
}

bool AbslParseFlag(absl::string_view text, Compare* out, std::string* error) {
  return ParseFlagWith(
      text, ParseCompare, [out](Compare c) { *out = c; }, error);
}

std::string AbslUnparseFlag(Compare compare) {
  return std::string(CompareName(compare));
}

bool AbslParseFlag(absl::string_view text, Policy* out, std::string* error) {
  return ParseFlagWith(
      text, ParsePolicy, [out](Policy p) { *out = p; }, error);
}

std::string AbslUnparseFlag(Policy policy) {
  return std::string(PolicyName(policy));
}

absl::StatusOr<SinkSpecInfo> InspectSinkSpec(std::string_view spec) {
  absl::StatusOr<std::vector<SinkConfig>> configs = ParseSinkSpec(spec);
  if (!configs.ok()) {
    return Invalid(
        fmt::format("--sinks: {}", std::string(configs.status().message())));
  }
  SinkSpecInfo info;
  for (const SinkConfig& c : *configs) {
    if (c.kind == SinkKind::kFile && info.count_path.empty() &&
        c.level.value_or(Level::kTrace) <= Level::kInfo) {
      info.count_path = c.target;
    }
    if (c.kind == SinkKind::kConsole && c.stream == ConsoleStream::kStdout) {
      info.writes_stdout = true;
    }
  }
  return info;
}

}  // namespace relog::load

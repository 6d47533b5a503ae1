// SPDX-License-Identifier: Apache-2.0
//
// bench/load_flags.h: what the load program (bench/load_main.cc) reads
// from its command line: logger and workload names, the --threads and
// --workload lists, the child spec ("relog:latency:2"), --compare,
// --policy, and what it needs to know of a --sinks spec. The list and enum
// flags are typed: each type has AbslParseFlag()/AbslUnparseFlag() (Abseil's
// flag marshalling), built on the Parse...() functions here.
//
// Everything here is thread-compatible and pure (tests/load_lib_test.cc).

#ifndef RELOG_BENCH_LOAD_FLAGS_H_
#define RELOG_BENCH_LOAD_FLAGS_H_

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace relog::load {

// Who is measured: relog (formatting deferred to the sink side, its
// default), relog formatting on the caller ("relog-eager"), spdlog's async
// logger, or formatting alone.
enum class LoggerKind { kRelog, kRelogEager, kSpdlog, kFormat };
enum class Workload { kLatency, kThroughput, kIdle };

std::string_view LoggerKindName(LoggerKind kind);
absl::StatusOr<LoggerKind> ParseLoggerKind(std::string_view text);
std::string_view WorkloadName(Workload workload);
absl::StatusOr<Workload> ParseWorkload(std::string_view text);

// ParseWorkloadList(): "latency,throughput" (the default when empty),
// "idle", ...; names may not repeat.
absl::StatusOr<std::vector<Workload>> ParseWorkloadList(std::string_view text);

// ParseThreadList(): "2" or "1,2,4"; empty means {1, 2}. Each count is in
// [1, 256] and may not repeat.
absl::StatusOr<std::vector<int>> ParseThreadList(std::string_view text);

// One child run: "relog:latency:2".
struct ChildSpec {
  LoggerKind logger = LoggerKind::kRelog;
  Workload workload = Workload::kLatency;
  int threads = 1;
};
absl::StatusOr<ChildSpec> ParseChildSpec(std::string_view text);
std::string FormatChildSpec(const ChildSpec& spec);

// --compare: "spdlog" (the default) or "none".
enum class Compare { kSpdlog, kNone };
std::string_view CompareName(Compare compare);
absl::StatusOr<Compare> ParseCompare(std::string_view text);

// --policy, the queue overflow policy: "block" (the default) or "drop".
enum class Policy { kBlock, kDrop };
std::string_view PolicyName(Policy policy);
absl::StatusOr<Policy> ParsePolicy(std::string_view text);

// The type of --threads (ParseThreadList()); unparsed as "1,2".
struct ThreadList {
  std::vector<int> counts = {1, 2};
};
// The type of --workload (ParseWorkloadList()); unparsed as
// "latency,throughput".
struct WorkloadList {
  std::vector<Workload> workloads = {Workload::kLatency, Workload::kThroughput};
};

// Abseil's flag marshalling for the list and enum types above (found by
// ADL; the error is the Parse...() function's message). --child is a
// string the program parses with ParseChildSpec() (see load_main.cc).
bool AbslParseFlag(absl::string_view text, ThreadList* out, std::string* error);
std::string AbslUnparseFlag(const ThreadList& list);
bool AbslParseFlag(absl::string_view text, WorkloadList* out,
                   std::string* error);
std::string AbslUnparseFlag(const WorkloadList& list);
bool AbslParseFlag(absl::string_view text, Compare* out, std::string* error);
std::string AbslUnparseFlag(Compare compare);
bool AbslParseFlag(absl::string_view text, Policy* out, std::string* error);
std::string AbslUnparseFlag(Policy policy);
// What the load program needs to know of a --sinks spec (parsed and
// checked with relog::ParseSinkSpec(); nothing is created).
struct SinkSpecInfo {
  // The first plain file sink that takes info messages: its lines are
  // counted. Empty when there is none (rotating, daily, syslog, ...).
  std::string count_path;
  // A console:stdout sink: the child's stdout carries its result line, so
  // that sink is sent to /dev/null.
  bool writes_stdout = false;
};
absl::StatusOr<SinkSpecInfo> InspectSinkSpec(std::string_view spec);

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_FLAGS_H_

// SPDX-License-Identifier: Apache-2.0
//
// bench/load_lib.h: the pure logic of the load program (bench/load_main.cc):
// flag and child-spec validation, percentiles and medians, line counting,
// the result record and its one-line JSON form (written by a child, read
// back by the parent, printed by --json), the human-readable table, and the
// latency-percentile SVG chart.
//
// Everything here is thread-compatible and does no timing of its own, so it
// can be unit-tested (tests/load_lib_test.cc).

#ifndef RELOG_BENCH_LOAD_LIB_H_
#define RELOG_BENCH_LOAD_LIB_H_

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

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

// ValidateCompare(): "spdlog" or "none".
absl::Status ValidateCompare(std::string_view text);
// ValidatePolicy(): "block" or "drop".
absl::Status ValidatePolicy(std::string_view text);
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

// Percentile(): nearest rank on an ascending `sorted`, p in [0, 100];
// p = 100 is the maximum. Zero when empty.
double Percentile(const std::vector<double>& sorted, double p);
// Median(): of the values (the mean of the middle two for an even count);
// NaN when empty. NaN values are ignored.
double Median(std::vector<double> values);

// The percentiles a child reports for the chart ("curve"): 50 up to the
// maximum (100).
const std::vector<double>& CurvePercentiles();

// CountLines(): newlines in `path` from byte `offset` on.
absl::StatusOr<uint64_t> CountLines(const std::string& path,
                                    uint64_t offset = 0);

// One run's figures (a child's result), or the medians of several. A field
// that does not apply is NaN, printed as JSON null and "-" in the table.
struct RunResult {
  std::string logger;    // relog | spdlog | format
  std::string workload;  // latency | throughput | idle
  double threads = 0;
  double runs = 1;          // how many runs the figures are medians of
  double messages = 0;      // timed calls over all threads
  double seconds = 0;       // wall time of the timed part
  double msgs_per_sec = 0;  // messages / seconds
  double p50_ns = 0, p90_ns = 0, p99_ns = 0, p999_ns = 0, p9999_ns = 0;
  double max_ns = 0;
  double allocs_per_call = 0;  // operator new on the logging threads / call
  double peak_rss_bytes = 0;
  double dropped = 0;
  double lines_written = 0;  // lines the sink file gained in the timed part
  double idle_cpu_pct = 0;   // percent of one core while idle
  double pool_hit_rate = 0;  // relog's entry pool, timed part
  double timer_overhead_ns = 0;
  // Latency workload of a logger: the p50 of format-only calls made by the
  // same threads in the same run, one burst after each burst of log calls
  // (a paired baseline: both see the same machine at the same moments).
  double paired_format_p50_ns = 0;
  std::vector<double> curve_ns;  // at CurvePercentiles()
};

// ToJsonLine(): one JSON object, no newline. With `with_curve`, the
// percentile curve too (the child-to-parent protocol uses it; --json
// leaves it out).
std::string ToJsonLine(const RunResult& r, bool with_curve = false);
// ParseJsonLine(): reads what ToJsonLine() wrote (with or without curve).
absl::StatusOr<RunResult> ParseJsonLine(std::string_view line);

// A flat JSON object: string, number, null (NaN) and bool (0/1) values, and
// arrays of numbers. Enough for the lines above; exposed for the tests.
using JsonValue = std::variant<double, std::string, std::vector<double>>;
absl::StatusOr<std::map<std::string, JsonValue>> ParseFlatJsonObject(
    std::string_view text);
// JsonEscape(): `text` as a quoted JSON string.
std::string JsonEscape(std::string_view text);

// MedianOf(): field by field (and curve point by curve point) medians of
// runs of one (logger, workload, threads); `runs` is their count.
RunResult MedianOf(const std::vector<RunResult>& runs);

// The table and the targets, from medians.
struct TableInput {
  std::vector<RunResult> medians;  // any order
  std::string header;              // first lines (settings), printed as is
  bool compared = true;            // spdlog ran
};
std::string FormatTable(const TableInput& input);

// One line of the chart.
struct ChartSeries {
  std::string name;   // legend ("relog, 2 threads")
  std::string color;  // any SVG colour ("#1f77b4")
  bool dashed = false;
  std::vector<double> percentiles;  // x: in (0, 100]; 100 is the maximum
  std::vector<double> values_ns;    // y: > 0 (values <= 0 are drawn at 1 ns)
};
// LatencyChartSvg(): a self-contained SVG document, log-scale y (ns),
// x spaced by nines (50, 90, 99, 99.9, ... , max).
std::string LatencyChartSvg(const std::vector<ChartSeries>& series,
                            std::string_view title);

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_LIB_H_

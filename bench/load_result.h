// SPDX-License-Identifier: Apache-2.0
//
// bench/load_result.h: one run's figures (RunResult), their one-line JSON
// form (written by a child, read back by the parent, printed by --json),
// the medians of several runs, and the statistics behind them
// (percentiles, medians, line counting).
//
// Everything here is thread-compatible and does no timing of its own
// (tests/load_lib_test.cc).

#ifndef RELOG_BENCH_LOAD_RESULT_H_
#define RELOG_BENCH_LOAD_RESULT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace relog::load {

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

// JsonEscape(): `text` as a quoted JSON string.
std::string JsonEscape(std::string_view text);

// MedianOf(): field by field (and curve point by curve point) medians of
// runs of one (logger, workload, threads); `runs` is their count.
RunResult MedianOf(const std::vector<RunResult>& runs);

}  // namespace relog::load

#endif  // RELOG_BENCH_LOAD_RESULT_H_

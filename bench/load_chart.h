// SPDX-License-Identifier: Apache-2.0
//
// bench/load_chart.h: the latency-percentile chart of the load program,
// a self-contained SVG document.
//
// Thread-compatible and pure (tests/load_lib_test.cc).

#ifndef RELOG_BENCH_LOAD_CHART_H_
#define RELOG_BENCH_LOAD_CHART_H_

#include <string>
#include <string_view>
#include <vector>

namespace relog::load {

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

#endif  // RELOG_BENCH_LOAD_CHART_H_

// SPDX-License-Identifier: Apache-2.0

#include "bench/load_table.h"

#include <cmath>
#include <limits>
#include <set>
#include <string_view>

#include "fmt/format.h"

namespace relog::load {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::string Plural(double threads) {
  return threads == 1 ? "1 thread" : fmt::format("{:.0f} threads", threads);
}

enum class CellKind { kNs, kRate, kSeconds, kAllocs, kMiB, kCount, kPct };

std::string Cell(double v, CellKind kind) {
  if (std::isnan(v)) return "-";
  switch (kind) {
    case CellKind::kNs:
      return v < 100 ? fmt::format("{:.1f}", v) : fmt::format("{:.0f}", v);
    case CellKind::kRate:
      return fmt::format("{:.3f} M", v / 1e6);
    case CellKind::kSeconds:
      return fmt::format("{:.3f}", v);
    case CellKind::kAllocs:
      return v == 0 ? "0" : fmt::format("{:.4f}", v);
    case CellKind::kMiB:
      return fmt::format("{:.1f}", v / (1024.0 * 1024.0));
    case CellKind::kCount:
      return fmt::format("{:.0f}", v);
    case CellKind::kPct:
      return fmt::format("{:.2f}", v);
  }
  return "?";
}

std::string Ratio(double a, double b) {
  if (std::isnan(a) || std::isnan(b) || b == 0) return "-";
  return fmt::format("{:.3f}", a / b);
}

const RunResult* Find(const std::vector<RunResult>& results,
                      std::string_view logger, std::string_view workload,
                      double threads) {
  for (const RunResult& r : results) {
    if (r.logger == logger && r.workload == workload && r.threads == threads) {
      return &r;
    }
  }
  return nullptr;
}

struct Row {
  const char* label;
  double RunResult::*member;
  CellKind kind;
};

}  // namespace

std::string FormatTable(const TableInput& input) {
  std::string out = input.header;
  std::set<double> thread_counts;
  for (const RunResult& r : input.medians) thread_counts.insert(r.threads);

  static const Row kLatencyRows[] = {
      {"p50 ns", &RunResult::p50_ns, CellKind::kNs},
      {"  paired format", &RunResult::paired_format_p50_ns, CellKind::kNs},
      {"p90 ns", &RunResult::p90_ns, CellKind::kNs},
      {"p99 ns", &RunResult::p99_ns, CellKind::kNs},
      {"p99.9 ns", &RunResult::p999_ns, CellKind::kNs},
      {"p99.99 ns", &RunResult::p9999_ns, CellKind::kNs},
      {"max ns", &RunResult::max_ns, CellKind::kNs},
      {"allocs/call", &RunResult::allocs_per_call, CellKind::kAllocs},
      {"peak RSS MiB", &RunResult::peak_rss_bytes, CellKind::kMiB},
      {"dropped", &RunResult::dropped, CellKind::kCount},
      {"lines written", &RunResult::lines_written, CellKind::kCount},
      {"pool hit rate", &RunResult::pool_hit_rate, CellKind::kPct},
  };
  static const Row kThroughputRows[] = {
      {"msgs/s", &RunResult::msgs_per_sec, CellKind::kRate},
      {"seconds", &RunResult::seconds, CellKind::kSeconds},
      {"allocs/call", &RunResult::allocs_per_call, CellKind::kAllocs},
      {"peak RSS MiB", &RunResult::peak_rss_bytes, CellKind::kMiB},
      {"dropped", &RunResult::dropped, CellKind::kCount},
      {"lines written", &RunResult::lines_written, CellKind::kCount},
      {"pool hit rate", &RunResult::pool_hit_rate, CellKind::kPct},
  };
  static const Row kIdleRows[] = {
      {"idle CPU %", &RunResult::idle_cpu_pct, CellKind::kPct},
      {"peak RSS MiB", &RunResult::peak_rss_bytes, CellKind::kMiB},
  };

  struct Check {
    std::string what;
    std::string value;
    bool met;
  };
  std::vector<Check> checks;
  auto ratio_check = [&](const std::string& what, double a, double b,
                         bool at_least, double bound) {
    if (std::isnan(a) || std::isnan(b) || b == 0) return;
    const double r = a / b;
    checks.push_back(
        {what, fmt::format("{:.3f}x", r), at_least ? r >= bound : r <= bound});
  };

  for (const char* workload : {"latency", "throughput", "idle"}) {
    const Row* rows = nullptr;
    std::size_t row_count = 0;
    if (std::string_view(workload) == "latency") {
      rows = kLatencyRows;
      row_count = std::size(kLatencyRows);
    } else if (std::string_view(workload) == "throughput") {
      rows = kThroughputRows;
      row_count = std::size(kThroughputRows);
    } else {
      rows = kIdleRows;
      row_count = std::size(kIdleRows);
    }
    for (const double threads : thread_counts) {
      const RunResult* relog = Find(input.medians, "relog", workload, threads);
      const RunResult* eager =
          Find(input.medians, "relog-eager", workload, threads);
      const RunResult* spdlog =
          Find(input.medians, "spdlog", workload, threads);
      const RunResult* format =
          Find(input.medians, "format", workload, threads);
      const RunResult* any = nullptr;
      for (const RunResult* r : {relog, eager, spdlog, format}) {
        if (any == nullptr) any = r;
      }
      if (any == nullptr) continue;
      out += fmt::format("\n{}, {} ({:.0f} messages, medians of {:.0f} runs)\n",
                         workload, Plural(threads), any->messages, any->runs);
      out += fmt::format("  {:<15} {:>12} {:>12} {:>12} {:>12} {:>13}\n", "",
                         "relog", "relog-eager", "spdlog", "format",
                         "relog/spdlog");
      for (std::size_t i = 0; i < row_count; ++i) {
        const Row& row = rows[i];
        auto value = [&](const RunResult* r) {
          return r == nullptr ? kNaN : r->*row.member;
        };
        out += fmt::format(
            "  {:<15} {:>12} {:>12} {:>12} {:>12} {:>13}\n", row.label,
            Cell(value(relog), row.kind), Cell(value(eager), row.kind),
            Cell(value(spdlog), row.kind), Cell(value(format), row.kind),
            Ratio(value(relog), value(spdlog)));
      }

      const std::string where =
          fmt::format("{}, {}", workload, Plural(threads));
      if (relog == nullptr) continue;
      if (std::string_view(workload) == "throughput" && spdlog != nullptr) {
        ratio_check("throughput >= 3x spdlog (" + where + ")",
                    relog->msgs_per_sec, spdlog->msgs_per_sec, true, 3.0);
      }
      if (std::string_view(workload) == "throughput" && eager != nullptr) {
        ratio_check("throughput >= 0.9x relog-eager (" + where + ")",
                    relog->msgs_per_sec, eager->msgs_per_sec, true, 0.9);
      }
      if (std::string_view(workload) == "latency") {
        if (spdlog != nullptr) {
          ratio_check("p99.9 <= 0.1x spdlog (" + where + ")", relog->p999_ns,
                      spdlog->p999_ns, false, 0.1);
          ratio_check("p99.99 <= 0.2x spdlog (" + where + ")", relog->p9999_ns,
                      spdlog->p9999_ns, false, 0.2);
          ratio_check("p99.99 <= 0.05x spdlog (" + where + ")", relog->p9999_ns,
                      spdlog->p9999_ns, false, 0.05);
        }
        if (format != nullptr) {
          ratio_check("p50 <= 1.3x format (" + where + ")", relog->p50_ns,
                      format->p50_ns, false, 1.3);
          ratio_check("p50 <= 0.15x format (" + where + ")", relog->p50_ns,
                      format->p50_ns, false, 0.15);
          ratio_check("p99.9 <= 0.5x format (" + where + ")", relog->p999_ns,
                      format->p999_ns, false, 0.5);
        }
        ratio_check("p50 <= 1.3x paired format (" + where + ")", relog->p50_ns,
                    relog->paired_format_p50_ns, false, 1.3);
      }
      if (std::string_view(workload) != "idle") {
        if (!std::isnan(relog->allocs_per_call)) {
          checks.push_back({"0 allocs/call (" + where + ")",
                            Cell(relog->allocs_per_call, CellKind::kAllocs),
                            relog->allocs_per_call == 0});
        }
      } else if (!std::isnan(relog->idle_cpu_pct)) {
        checks.push_back({"idle CPU <= 1% (" + where + ")",
                          fmt::format("{:.2f}%", relog->idle_cpu_pct),
                          relog->idle_cpu_pct <= 1.0});
      }
      if (spdlog != nullptr) {
        ratio_check("peak RSS <= 2x spdlog (" + where + ")",
                    relog->peak_rss_bytes, spdlog->peak_rss_bytes, false, 2.0);
      }
    }
  }

  if (!checks.empty()) {
    out += "\ntargets\n";
    for (const Check& c : checks) {
      out += fmt::format("  {:<48} {:>10}  {}\n", c.what, c.value,
                         c.met ? "met" : "MISSED");
    }
  }
  return out;
}

}  // namespace relog::load

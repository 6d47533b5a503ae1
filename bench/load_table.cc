// SPDX-License-Identifier: Apache-2.0

#include "bench/load_table.h"

#include <cmath>
#include <limits>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

constexpr Row kLatencyRows[] = {
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
constexpr Row kThroughputRows[] = {
    {"msgs/s", &RunResult::msgs_per_sec, CellKind::kRate},
    {"seconds", &RunResult::seconds, CellKind::kSeconds},
    {"allocs/call", &RunResult::allocs_per_call, CellKind::kAllocs},
    {"peak RSS MiB", &RunResult::peak_rss_bytes, CellKind::kMiB},
    {"dropped", &RunResult::dropped, CellKind::kCount},
    {"lines written", &RunResult::lines_written, CellKind::kCount},
    {"pool hit rate", &RunResult::pool_hit_rate, CellKind::kPct},
};
constexpr Row kIdleRows[] = {
    {"idle CPU %", &RunResult::idle_cpu_pct, CellKind::kPct},
    {"peak RSS MiB", &RunResult::peak_rss_bytes, CellKind::kMiB},
};

std::span<const Row> RowsOf(std::string_view workload) {
  if (workload == "latency") return kLatencyRows;
  if (workload == "throughput") return kThroughputRows;
  return kIdleRows;
}

// The results of one (workload, threads), one per logger; any may be null.
struct Section {
  const RunResult* relog = nullptr;
  const RunResult* eager = nullptr;
  const RunResult* spdlog = nullptr;
  const RunResult* format = nullptr;

  // The first that ran, or null when none did.
  const RunResult* any() const {
    for (const RunResult* r : {relog, eager, spdlog, format}) {
      if (r != nullptr) return r;
    }
    return nullptr;
  }
};

Section FindSection(const std::vector<RunResult>& medians,
                    std::string_view workload, double threads) {
  return {Find(medians, "relog", workload, threads),
          Find(medians, "relog-eager", workload, threads),
          Find(medians, "spdlog", workload, threads),
          Find(medians, "format", workload, threads)};
}

// A section of the table: its title, the loggers' columns, a row each.
std::string FormatSection(const Section& s, std::string_view workload,
                          double threads) {
  const RunResult* any = s.any();
  std::string out =
      fmt::format("\n{}, {} ({:.0f} messages, medians of {:.0f} runs)\n",
                  workload, Plural(threads), any->messages, any->runs);
  out +=
      fmt::format("  {:<15} {:>12} {:>12} {:>12} {:>12} {:>13}\n", "", "relog",
                  "relog-eager", "spdlog", "format", "relog/spdlog");
  for (const Row& row : RowsOf(workload)) {
    auto value = [&](const RunResult* r) {
      return r == nullptr ? kNaN : r->*row.member;
    };
    out += fmt::format(
        "  {:<15} {:>12} {:>12} {:>12} {:>12} {:>13}\n", row.label,
        Cell(value(s.relog), row.kind), Cell(value(s.eager), row.kind),
        Cell(value(s.spdlog), row.kind), Cell(value(s.format), row.kind),
        Ratio(value(s.relog), value(s.spdlog)));
  }
  return out;
}

// The targets, each met or missed.
class Targets {
 public:
  // Ratio(): a / b, met when >= bound (`at_least`) or <= bound; left out
  // when either is missing.
  void Ratio(const std::string& what, double a, double b, bool at_least,
             double bound) {
    if (std::isnan(a) || std::isnan(b) || b == 0) return;
    const double r = a / b;
    Add(what, fmt::format("{:.3f}x", r), at_least ? r >= bound : r <= bound);
  }
  void Add(std::string what, std::string value, bool met) {
    checks_.push_back({std::move(what), std::move(value), met});
  }
  std::string Format() const {
    if (checks_.empty()) return "";
    std::string out = "\ntargets\n";
    for (const Check& c : checks_) {
      out += fmt::format("  {:<48} {:>10}  {}\n", c.what, c.value,
                         c.met ? "met" : "MISSED");
    }
    return out;
  }

 private:
  struct Check {
    std::string what;
    std::string value;
    bool met;
  };
  std::vector<Check> checks_;
};

void AddLatencyTargets(const Section& s, const std::string& where,
                       Targets& targets) {
  const RunResult& relog = *s.relog;
  if (s.spdlog != nullptr) {
    targets.Ratio("p99.9 <= 0.1x spdlog (" + where + ")", relog.p999_ns,
                  s.spdlog->p999_ns, false, 0.1);
    targets.Ratio("p99.99 <= 0.2x spdlog (" + where + ")", relog.p9999_ns,
                  s.spdlog->p9999_ns, false, 0.2);
    targets.Ratio("p99.99 <= 0.05x spdlog (" + where + ")", relog.p9999_ns,
                  s.spdlog->p9999_ns, false, 0.05);
  }
  if (s.format != nullptr) {
    targets.Ratio("p50 <= 1.3x format (" + where + ")", relog.p50_ns,
                  s.format->p50_ns, false, 1.3);
    targets.Ratio("p50 <= 0.15x format (" + where + ")", relog.p50_ns,
                  s.format->p50_ns, false, 0.15);
    targets.Ratio("p99.9 <= 0.5x format (" + where + ")", relog.p999_ns,
                  s.format->p999_ns, false, 0.5);
  }
  targets.Ratio("p50 <= 1.3x paired format (" + where + ")", relog.p50_ns,
                relog.paired_format_p50_ns, false, 1.3);
}

// The targets of one section (relog must have run).
void AddTargets(const Section& s, std::string_view workload, double threads,
                Targets& targets) {
  const RunResult& relog = *s.relog;
  const std::string where = fmt::format("{}, {}", workload, Plural(threads));
  if (workload == "throughput" && s.spdlog != nullptr) {
    targets.Ratio("throughput >= 3x spdlog (" + where + ")", relog.msgs_per_sec,
                  s.spdlog->msgs_per_sec, true, 3.0);
  }
  if (workload == "throughput" && s.eager != nullptr) {
    targets.Ratio("throughput >= 0.9x relog-eager (" + where + ")",
                  relog.msgs_per_sec, s.eager->msgs_per_sec, true, 0.9);
  }
  if (workload == "latency") AddLatencyTargets(s, where, targets);
  if (workload != "idle") {
    if (!std::isnan(relog.allocs_per_call)) {
      targets.Add("0 allocs/call (" + where + ")",
                  Cell(relog.allocs_per_call, CellKind::kAllocs),
                  relog.allocs_per_call == 0);
    }
  } else if (!std::isnan(relog.idle_cpu_pct)) {
    targets.Add("idle CPU <= 1% (" + where + ")",
                fmt::format("{:.2f}%", relog.idle_cpu_pct),
                relog.idle_cpu_pct <= 1.0);
  }
  if (s.spdlog != nullptr) {
    targets.Ratio("peak RSS <= 2x spdlog (" + where + ")", relog.peak_rss_bytes,
                  s.spdlog->peak_rss_bytes, false, 2.0);
  }
}

}  // namespace

std::string FormatTable(const TableInput& input) {
  std::string out = input.header;
  std::set<double> thread_counts;
  for (const RunResult& r : input.medians) thread_counts.insert(r.threads);
  Targets targets;
  for (const std::string_view workload : {"latency", "throughput", "idle"}) {
    for (const double threads : thread_counts) {
      const Section s = FindSection(input.medians, workload, threads);
      if (s.any() == nullptr) continue;
      out += FormatSection(s, workload, threads);
      if (s.relog != nullptr) AddTargets(s, workload, threads, targets);
    }
  }
  return out + targets.Format();
}

}  // namespace relog::load

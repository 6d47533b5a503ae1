// SPDX-License-Identifier: Apache-2.0
//
// bench/load_main.cc: relog's load program, `./bazelw run //bench:load`.
//
// N producer threads log the standard message ("Logging int: {}, double: {},
// string: {}") through relog, through spdlog's async logger, and into a
// bare fmt::memory_buffer (the `format` baseline), and the program reports,
// for each, per-call latency percentiles, end-to-end throughput,
// allocations per call, peak RSS, drops and relog's pool hit rate, with the
// ratio relog/spdlog.
//
// This file holds the flags and the parent: each (logger, workload,
// threads, repeat) runs in a child process of its own (bench/load_child.h);
// runs alternate relog/spdlog/format, and every figure reported is the
// median over --repeat runs, as a table (bench/load_table.h), JSON lines
// (--json) and a chart (--chart, bench/load_chart.h). The workloads are
// described in bench/load_workload.h.

#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/load_chart.h"
#include "bench/load_child.h"
#include "bench/load_flags.h"
#include "bench/load_result.h"
#include "bench/load_table.h"
#include "bench/load_workload.h"
#include "fmt/format.h"

ABSL_FLAG(relog::load::ThreadList, threads, relog::load::ThreadList(),
          "producer thread counts, e.g. 2 or 1,2,4 (default: 1 then 2)");
ABSL_FLAG(int64_t, messages, 4000000,
          "throughput workload: messages in total, split over the threads");
ABSL_FLAG(double, seconds, 0,
          "throughput workload: log for this long instead of --messages");
ABSL_FLAG(int64_t, latency_calls, 200000,
          "latency workload: timed calls per thread");
ABSL_FLAG(double, rate, 0,
          "messages per second per thread (0: as fast as possible; the "
          "latency workload then uses bursts of 20 and 10 us pauses)");
ABSL_FLAG(relog::load::WorkloadList, workload, relog::load::WorkloadList(),
          "latency, throughput, idle, or a list (default: latency,throughput)");
ABSL_FLAG(std::string, sinks, "",
          "relog's sinks, a sink spec (sinks/spec.h), e.g. file:/tmp/a.log or "
          "null; console:stdout goes to /dev/null (stdout is for results); "
          "default: a file in a fresh temporary directory. spdlog always "
          "writes a file in that directory");
ABSL_FLAG(relog::load::Policy, policy, relog::load::Policy::kBlock,
          "queue overflow policy: block|drop");
ABSL_FLAG(relog::load::Compare, compare, relog::load::Compare::kSpdlog,
          "spdlog, or none to skip it");
ABSL_FLAG(int, repeat, 3, "runs per logger, alternating; medians reported");
ABSL_FLAG(bool, json, false,
          "print one JSON object per (logger, workload, threads), nothing "
          "else");
ABSL_FLAG(std::string, chart, "", "write a latency-percentile chart (SVG)");
ABSL_FLAG(bool, keep_logs, false, "keep the temporary directory of logs");
ABSL_FLAG(double, idle_seconds, 3, "idle workload: how long to sleep");
// Internal: the parent starts each run as a child with these. A string
// parsed by Main() rather than a typed flag: Abseil keeps a small trivially
// copyable flag value (std::optional<ChildSpec>) behind a sequence lock
// whose fence g++ refuses under -fsanitize=thread (-Werror=tsan).
ABSL_FLAG(std::string, child, "", "internal: LOGGER:WORKLOAD:THREADS");
ABSL_FLAG(std::string, child_file, "",
          "internal: the log file of this run (spdlog; relog without --sinks)");

namespace relog::load {
namespace {

struct Options {
  std::vector<int> threads;
  std::vector<Workload> workloads;
  bool compare = true;
  int repeat = 3;
  bool json = false;
  std::string chart;
  bool keep_logs = false;
};

std::string MakeTempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string dir = fmt::format(
      "{}/relog-load-XXXXXX", base != nullptr && *base != '\0' ? base : "/tmp");
  if (mkdtemp(dir.data()) == nullptr) return "";
  return dir;
}

// The first three fields of /proc/loadavg: other processes on these cores
// change every figure, so the report says how busy the machine was.
std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "unknown";
  return a + " " + b + " " + c;
}

std::string ChartColor(const std::string& logger) {
  if (logger == "relog") return "#1f77b4";
  if (logger == "relog-eager") return "#2ca02c";
  if (logger == "spdlog") return "#d62728";
  return "#7f7f7f";
}

// The loggers run, in the order they alternate.
std::vector<LoggerKind> Loggers(const Options& o) {
  std::vector<LoggerKind> loggers = {LoggerKind::kRelog,
                                     LoggerKind::kRelogEager};
  if (o.compare) loggers.push_back(LoggerKind::kSpdlog);
  loggers.push_back(LoggerKind::kFormat);
  return loggers;
}

// Formatting alone has no idle cost to measure.
bool Skipped(Workload w, LoggerKind logger) {
  return w == Workload::kIdle && logger == LoggerKind::kFormat;
}

// Runs every child, each in a fresh log file of `dir`; returns the medians
// per (logger, workload, threads), in the order first seen.
absl::StatusOr<std::vector<RunResult>> RunAll(const Options& o,
                                              const Settings& s,
                                              const std::string& dir) {
  const std::vector<LoggerKind> loggers = Loggers(o);
  using Key = std::tuple<std::string, std::string, int>;
  std::vector<Key> order;
  std::map<Key, std::vector<RunResult>> runs;
  int total = 0;
  for (Workload w : o.workloads) {
    total += static_cast<int>(o.threads.size()) * o.repeat *
             static_cast<int>(w == Workload::kIdle ? loggers.size() - 1
                                                   : loggers.size());
  }
  int done = 0;
  for (const int threads : o.threads) {
    for (const Workload w : o.workloads) {
      for (int rep = 0; rep < o.repeat; ++rep) {
        for (const LoggerKind logger : loggers) {
          if (Skipped(w, logger)) continue;
          const ChildSpec spec{logger, w, threads};
          const std::string file =
              fmt::format("{}/{}-{}-{}t-{}.log", dir, LoggerKindName(logger),
                          WorkloadName(w), threads, rep);
          const std::string label =
              fmt::format("run {}/{}: {} {}, {} thread{}, repeat {}/{}", ++done,
                          total, LoggerKindName(logger), WorkloadName(w),
                          threads, threads == 1 ? "" : "s", rep + 1, o.repeat);
          absl::StatusOr<RunResult> r = RunChild(spec, s, file, label);
          if (!o.keep_logs) ::unlink(file.c_str());
          if (!r.ok()) return r.status();
          const Key key = std::make_tuple(r->logger, r->workload, threads);
          if (runs.find(key) == runs.end()) order.push_back(key);
          runs[key].push_back(*std::move(r));
        }
      }
    }
  }
  std::vector<RunResult> medians;
  medians.reserve(order.size());
  for (const Key& key : order) medians.push_back(MedianOf(runs[key]));
  return medians;
}

// The table's first lines: the machine and the settings.
std::string ReportHeader(const Options& o, const Settings& s,
                         const std::string& load_before) {
  const unsigned cores = std::thread::hardware_concurrency();
  return fmt::format(
      "relog load: {} cores (load average {} before, {} after); relog "
      "sinks: {}; spdlog: {}; policy {}; {} runs per logger, medians.\n"
      "Standard message \"Logging int: {{}}, double: {{}}, string: {{}}\"; "
      "latency: {}, {} timed calls per thread; throughput: {}.\n",
      cores, load_before, LoadAverage(),
      s.sinks.empty() ? "a file in a temporary directory" : s.sinks,
      o.compare ? "async logger, basic_file_sink_mt, queue 8192, 1 worker"
                : "not run (--compare=none)",
      s.drop ? "drop" : "block", o.repeat,
      s.rate > 0 ? fmt::format("paced at {} calls/s per thread", s.rate)
                 : fmt::format("bursts of {} then {:.0f} us busy wait", kBurst,
                               kPauseNs / 1000),
      s.latency_calls,
      fmt::format("{} {}",
                  s.seconds > 0
                      ? fmt::format("for {} s", s.seconds)
                      : fmt::format("{} messages in total", s.messages),
                  s.rate > 0 ? fmt::format("at {} msgs/s per thread", s.rate)
                             : "as fast as possible"));
}

// Writes the latency chart of `medians` to o.chart.
absl::Status WriteChart(const Options& o,
                        const std::vector<RunResult>& medians) {
  std::vector<ChartSeries> series;
  for (const RunResult& m : medians) {
    if (m.workload != "latency" || m.curve_ns.empty()) continue;
    ChartSeries c;
    c.name = fmt::format("{}, {:.0f} thread{}", m.logger, m.threads,
                         m.threads == 1 ? "" : "s");
    c.color = ChartColor(m.logger);
    c.dashed = m.threads != o.threads.front();
    c.percentiles = CurvePercentiles();
    c.percentiles.resize(m.curve_ns.size());
    c.values_ns = m.curve_ns;
    series.push_back(std::move(c));
  }
  const std::string svg = LatencyChartSvg(
      series,
      fmt::format("Latency per log call (medians of {} runs)", o.repeat));
  std::FILE* f = std::fopen(o.chart.c_str(), "w");
  if (f == nullptr || std::fwrite(svg.data(), 1, svg.size(), f) != svg.size() ||
      std::fclose(f) != 0) {
    return absl::InternalError(
        fmt::format("cannot write {}: {}", o.chart, std::strerror(errno)));
  }
  return absl::OkStatus();
}

int ParentMain(const Options& o, const Settings& s) {
  const std::string load_before = LoadAverage();
  const std::string dir = MakeTempDir();
  if (dir.empty()) {
    std::fprintf(stderr, "load: cannot create a temporary directory: %s\n",
                 std::strerror(errno));
    return 1;
  }
  const absl::StatusOr<std::vector<RunResult>> medians = RunAll(o, s, dir);
  if (!medians.ok()) {
    std::fprintf(stderr, "load: %s\n",
                 std::string(medians.status().message()).c_str());
    if (!o.keep_logs) ::rmdir(dir.c_str());
    return 1;
  }
  if (o.keep_logs) {
    std::fprintf(stderr, "load: logs kept in %s\n", dir.c_str());
  } else {
    ::rmdir(dir.c_str());
  }

  if (o.json) {
    for (const RunResult& m : *medians) {
      std::printf("%s\n", ToJsonLine(m).c_str());
    }
  } else {
    TableInput in;
    in.medians = *medians;
    in.compared = o.compare;
    in.header = ReportHeader(o, s, load_before);
    std::fputs(FormatTable(in).c_str(), stdout);
  }
  std::fflush(stdout);

  if (!o.chart.empty()) {
    if (absl::Status st = WriteChart(o, *medians); !st.ok()) {
      std::fprintf(stderr, "load: %s\n", std::string(st.message()).c_str());
      return 1;
    }
  }
  return 0;
}

// The run settings from the flags (the child's spec is set apart).
Settings SettingsFromFlags() {
  Settings s;
  s.messages = absl::GetFlag(FLAGS_messages);
  s.seconds = absl::GetFlag(FLAGS_seconds);
  s.latency_calls = absl::GetFlag(FLAGS_latency_calls);
  s.rate = absl::GetFlag(FLAGS_rate);
  s.sinks = absl::GetFlag(FLAGS_sinks);
  s.drop = absl::GetFlag(FLAGS_policy) == Policy::kDrop;
  s.child_file = absl::GetFlag(FLAGS_child_file);
  s.idle_seconds = absl::GetFlag(FLAGS_idle_seconds);
  return s;
}

// The checks every run's flags must pass, parent or child, beyond those
// their types make (lists and enums are checked as they are parsed).
absl::Status ValidateRunFlags() {
  if (const std::string sinks = absl::GetFlag(FLAGS_sinks); !sinks.empty()) {
    if (absl::StatusOr<SinkSpecInfo> info = InspectSinkSpec(sinks);
        !info.ok()) {
      return info.status();
    }
  }
  if (absl::GetFlag(FLAGS_messages) < 1 ||
      absl::GetFlag(FLAGS_latency_calls) < 1 ||
      absl::GetFlag(FLAGS_seconds) < 0 || absl::GetFlag(FLAGS_rate) < 0 ||
      absl::GetFlag(FLAGS_idle_seconds) < 0 ||
      absl::GetFlag(FLAGS_repeat) < 1) {
    return absl::InvalidArgumentError(
        "--messages, --latency_calls and --repeat must be at least 1; "
        "--seconds, --rate and --idle_seconds at least 0");
  }
  return absl::OkStatus();
}

// The parent's options from the flags.
Options OptionsFromFlags() {
  Options o;
  o.threads = absl::GetFlag(FLAGS_threads).counts;
  o.workloads = absl::GetFlag(FLAGS_workload).workloads;
  o.compare = absl::GetFlag(FLAGS_compare) == Compare::kSpdlog;
  o.repeat = absl::GetFlag(FLAGS_repeat);
  o.json = absl::GetFlag(FLAGS_json);
  o.chart = absl::GetFlag(FLAGS_chart);
  // `bazel run` starts us in the runfiles tree: a relative --chart path
  // means the directory the command was typed in.
  if (const char* cwd = std::getenv("BUILD_WORKING_DIRECTORY");
      cwd != nullptr && !o.chart.empty() && o.chart.front() != '/') {
    o.chart = std::string(cwd) + "/" + o.chart;
  }
  o.keep_logs = absl::GetFlag(FLAGS_keep_logs);
  return o;
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "relog's load program: latency and throughput of relog vs spdlog.\n"
      "  ./bazelw run //bench:load -- [--threads=1,2] [--workload=...] "
      "[--json] [--chart=FILE.svg]");
  std::vector<char*> rest = absl::ParseCommandLine(argc, argv);
  if (rest.size() > 1) {
    std::fprintf(stderr, "load: unexpected argument \"%s\"\n", rest[1]);
    return 2;
  }
  auto fail = [](const absl::Status& s) {
    std::fprintf(stderr, "load: %s\n", std::string(s.message()).c_str());
    return 2;
  };
  if (absl::Status st = ValidateRunFlags(); !st.ok()) return fail(st);
  Settings s = SettingsFromFlags();
  if (const std::string child = absl::GetFlag(FLAGS_child); !child.empty()) {
    absl::StatusOr<ChildSpec> spec = ParseChildSpec(child);
    if (!spec.ok()) return fail(spec.status());
    s.spec = *spec;
    return ChildMain(s);
  }
  return ParentMain(OptionsFromFlags(), s);
}

}  // namespace
}  // namespace relog::load

int main(int argc, char** argv) { return relog::load::Main(argc, argv); }

// SPDX-License-Identifier: Apache-2.0
//
// Runs the load program with tiny counts and checks what it prints: it
// exits 0, and --json gives exactly one valid JSON object per line, one per
// (logger, workload, threads), with every required field. No timed asserts.
//
// argv[1] is the program. It passes under --config=asan and --config=tsan
// with spdlog compared too (spdlog's prebuilt library is not instrumented,
// but its threads synchronise through pthread calls TSan intercepts).

#include <stdio.h>
#include <sys/wait.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "bench/load_result.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace relog::load {
namespace {

std::string g_program;

struct Outcome {
  int exit_code = -1;
  std::string out;
};

// Runs the program with `flags`; its stderr goes to the test log.
Outcome RunLoad(const std::string& flags) {
  const std::string command = g_program + " " + flags;
  Outcome o;
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return o;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) o.out.append(buf, n);
  const int status = ::pclose(p);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return o;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

std::string TmpDir() {
  const char* d = std::getenv("TEST_TMPDIR");
  return d != nullptr ? d : "/tmp";
}

TEST(LoadSmokeTest, JsonHasOneLinePerLoggerWorkloadAndThreads) {
  const std::string chart = TmpDir() + "/latency.svg";
  const Outcome o = RunLoad(
      "--messages=20000 --latency_calls=2000 --repeat=1 --threads=1 --json "
      "--chart=" +
      chart);
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const std::vector<std::string> lines = Lines(o.out);
  std::set<std::pair<std::string, std::string>> seen;
  for (const std::string& line : lines) {
    // Checked by a parser of its own first (not load_result's).
    const nlohmann::json object =
        nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    ASSERT_TRUE(object.is_object()) << line;
    for (const char* field : {"logger", "workload"}) {
      EXPECT_TRUE(object.contains(field) && object[field].is_string())
          << field << " missing in " << line;
    }
    for (const char* field :
         {"threads", "messages", "seconds", "msgs_per_sec", "p50_ns", "p99_ns",
          "p999_ns", "p9999_ns", "max_ns", "allocs_per_call", "peak_rss_bytes",
          "dropped", "lines_written", "idle_cpu_pct"}) {
      EXPECT_TRUE(object.contains(field) &&
                  (object[field].is_number() || object[field].is_null()))
          << field << " missing in " << line;
    }
    EXPECT_FALSE(object.contains("curve_ns")) << line;
    const RunResult r = *ParseJsonLine(line);
    EXPECT_EQ(r.threads, 1);
    EXPECT_TRUE(seen.emplace(r.logger, r.workload).second) << line;
    if (r.workload == "throughput") {
      EXPECT_EQ(r.messages, 20000) << line;
      if (r.logger != "format") {
        EXPECT_EQ(r.lines_written, 20000) << line;
      }
    } else {
      EXPECT_EQ(r.messages, 2000) << line;
      EXPECT_GT(r.max_ns, 0) << line;
    }
  }
  for (const char* logger : {"relog", "relog-eager", "spdlog", "format"}) {
    for (const char* workload : {"latency", "throughput"}) {
      EXPECT_TRUE(seen.count({logger, workload})) << logger << " " << workload;
    }
  }
  EXPECT_EQ(lines.size(), seen.size());

  std::ifstream in(chart);
  std::stringstream svg;
  svg << in.rdbuf();
  EXPECT_EQ(svg.str().rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.str().find("</svg>"), std::string::npos);
  EXPECT_NE(svg.str().find("relog, 1 thread"), std::string::npos);
}

TEST(LoadSmokeTest, TableIdleAndDropPolicyRun) {
  const Outcome o = RunLoad(
      "--messages=5000 --latency_calls=500 --repeat=1 --threads=2 "
      "--workload=idle,throughput --idle_seconds=0.2 --policy=drop");
  ASSERT_EQ(o.exit_code, 0) << o.out;
  EXPECT_NE(o.out.find("idle, 2 threads"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("throughput, 2 threads"), std::string::npos) << o.out;
  EXPECT_NE(o.out.find("idle CPU %"), std::string::npos) << o.out;
}

TEST(LoadSmokeTest, ConsoleStdoutSinkLeavesStdoutToTheResults) {
  const Outcome o = RunLoad(
      "--json --sinks='console:stdout;null' --compare=none "
      "--workload=throughput --messages=2000 --repeat=1 --threads=1");
  ASSERT_EQ(o.exit_code, 0) << o.out;
  const std::vector<std::string> lines = Lines(o.out);
  ASSERT_EQ(lines.size(), 3u) << o.out;  // relog, relog-eager and format
  std::set<std::string> loggers;
  for (const std::string& line : lines) {
    const auto r = ParseJsonLine(line);
    ASSERT_TRUE(r.ok()) << line;
    loggers.insert(r->logger);
  }
  EXPECT_EQ(loggers, (std::set<std::string>{"relog", "relog-eager", "format"}));
}

TEST(LoadSmokeTest, BadFlagsAreRejected) {
  // Typed flags are refused by Abseil's flag parsing, which exits with 1.
  EXPECT_EQ(RunLoad("--threads=0").exit_code, 1);
  EXPECT_EQ(RunLoad("--workload=fast").exit_code, 1);
  EXPECT_EQ(RunLoad("--policy=maybe").exit_code, 1);
  EXPECT_EQ(RunLoad("--compare=quill").exit_code, 1);
  // The rest by the program, which exits with 2.
  EXPECT_EQ(RunLoad("--child=relog:latency").exit_code, 2);
  EXPECT_EQ(RunLoad("--sinks=bogus:x").exit_code, 2);
  EXPECT_EQ(RunLoad("--repeat=0").exit_code, 2);
}

}  // namespace
}  // namespace relog::load

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  if (argc != 2) {
    std::fprintf(stderr, "usage: load_smoke_test PROGRAM\n");
    return 2;
  }
  relog::load::g_program = argv[1];
  return RUN_ALL_TESTS();
}

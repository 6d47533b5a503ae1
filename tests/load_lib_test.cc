// SPDX-License-Identifier: Apache-2.0
//
// The load program's pure logic: flag and spec validation, percentiles,
// medians, line counting, the JSON result line, the table and the chart.

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/flags/marshalling.h"
#include "bench/load_chart.h"
#include "bench/load_flags.h"
#include "bench/load_result.h"
#include "bench/load_table.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace relog::load {
namespace {

TEST(LoadLibTest, ThreadListDefaultsToOneThenTwo) {
  EXPECT_EQ(*ParseThreadList(""), (std::vector<int>{1, 2}));
  EXPECT_EQ(*ParseThreadList("4"), (std::vector<int>{4}));
  EXPECT_EQ(*ParseThreadList("1,2,4"), (std::vector<int>{1, 2, 4}));
}

TEST(LoadLibTest, ThreadListRejectsBadCounts) {
  for (const char* bad : {"0", "-1", "x", "1,", ",1", "1,1", "257", "2 "}) {
    EXPECT_FALSE(ParseThreadList(bad).ok()) << bad;
  }
}

TEST(LoadLibTest, WorkloadListDefaultsToLatencyThenThroughput) {
  EXPECT_EQ(*ParseWorkloadList(""),
            (std::vector<Workload>{Workload::kLatency, Workload::kThroughput}));
  EXPECT_EQ(*ParseWorkloadList("idle"),
            (std::vector<Workload>{Workload::kIdle}));
  EXPECT_FALSE(ParseWorkloadList("latency,latency").ok());
  EXPECT_FALSE(ParseWorkloadList("fast").ok());
  EXPECT_FALSE(ParseWorkloadList("latency,").ok());
}

TEST(LoadLibTest, ChildSpecRoundTrips) {
  const ChildSpec spec = *ParseChildSpec("spdlog:throughput:2");
  EXPECT_EQ(spec.logger, LoggerKind::kSpdlog);
  EXPECT_EQ(spec.workload, Workload::kThroughput);
  EXPECT_EQ(spec.threads, 2);
  EXPECT_EQ(FormatChildSpec(spec), "spdlog:throughput:2");
  for (const char* bad :
       {"", "relog", "relog:latency", "relog:latency:", "relog:latency:1,2",
        "log:latency:1", "relog:lat:1", "relog:latency:1:2"}) {
    EXPECT_FALSE(ParseChildSpec(bad).ok()) << bad;
  }
}

TEST(LoadLibTest, PolicyCompareAndSinkSpecAreValidated) {
  EXPECT_EQ(*ParsePolicy("block"), Policy::kBlock);
  EXPECT_EQ(*ParsePolicy("drop"), Policy::kDrop);
  EXPECT_FALSE(ParsePolicy("Block").ok());
  EXPECT_EQ(*ParseCompare("spdlog"), Compare::kSpdlog);
  EXPECT_EQ(*ParseCompare("none"), Compare::kNone);
  EXPECT_FALSE(ParseCompare("quill").ok());
}

TEST(LoadLibTest, ListAndEnumFlagsParseAndUnparseThroughAbseil) {
  std::string error;
  ThreadList threads;
  EXPECT_EQ(absl::UnparseFlag(threads), "1,2");  // the default
  ASSERT_TRUE(absl::ParseFlag("4,1", &threads, &error)) << error;
  EXPECT_EQ(threads.counts, (std::vector<int>{4, 1}));
  EXPECT_EQ(absl::UnparseFlag(threads), "4,1");
  EXPECT_FALSE(absl::ParseFlag("1,1", &threads, &error));
  EXPECT_NE(error.find("given twice"), std::string::npos) << error;

  WorkloadList workloads;
  EXPECT_EQ(absl::UnparseFlag(workloads), "latency,throughput");
  ASSERT_TRUE(absl::ParseFlag("idle,latency", &workloads, &error)) << error;
  EXPECT_EQ(workloads.workloads,
            (std::vector<Workload>{Workload::kIdle, Workload::kLatency}));
  EXPECT_EQ(absl::UnparseFlag(workloads), "idle,latency");
  EXPECT_FALSE(absl::ParseFlag("fast", &workloads, &error));

  Policy policy = Policy::kBlock;
  ASSERT_TRUE(absl::ParseFlag("drop", &policy, &error)) << error;
  EXPECT_EQ(policy, Policy::kDrop);
  EXPECT_EQ(absl::UnparseFlag(policy), "drop");
  EXPECT_FALSE(absl::ParseFlag("maybe", &policy, &error));

  Compare compare = Compare::kSpdlog;
  ASSERT_TRUE(absl::ParseFlag("none", &compare, &error)) << error;
  EXPECT_EQ(compare, Compare::kNone);
  EXPECT_EQ(absl::UnparseFlag(compare), "none");
  EXPECT_FALSE(absl::ParseFlag("quill", &compare, &error));
}

TEST(LoadLibTest, SinkSpecNamesTheFileToCountAndStdout) {
  const SinkSpecInfo file = *InspectSinkSpec("file:/tmp/a.log");
  EXPECT_EQ(file.count_path, "/tmp/a.log");
  EXPECT_FALSE(file.writes_stdout);
  const SinkSpecInfo mixed = *InspectSinkSpec(
      "null;file:/tmp/w.log,level=warn;console:stdout;file:/tmp/b.log");
  EXPECT_EQ(mixed.count_path, "/tmp/b.log");
  EXPECT_TRUE(mixed.writes_stdout);
  const SinkSpecInfo none = *InspectSinkSpec("rotating:/tmp/r.log;null");
  EXPECT_EQ(none.count_path, "");
  EXPECT_FALSE(InspectSinkSpec("file:").ok());
  EXPECT_FALSE(InspectSinkSpec("bogus:x").ok());
}

TEST(LoadLibTest, PercentileIsNearestRank) {
  std::vector<double> v;
  for (int i = 1; i <= 1000; ++i) v.push_back(i);
  EXPECT_EQ(Percentile(v, 50), 500);
  EXPECT_EQ(Percentile(v, 99), 990);
  EXPECT_EQ(Percentile(v, 99.9), 999);
  EXPECT_EQ(Percentile(v, 99.99), 1000);
  EXPECT_EQ(Percentile(v, 100), 1000);
  EXPECT_EQ(Percentile(v, 0), 1);
  EXPECT_EQ(Percentile({7}, 50), 7);
  EXPECT_EQ(Percentile({}, 50), 0);
}

TEST(LoadLibTest, MedianOfOddEvenAndNaN) {
  EXPECT_EQ(Median({3, 1, 2}), 2);
  EXPECT_EQ(Median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(Median({5, std::nan(""), 1, 3}), 3);
  EXPECT_TRUE(std::isnan(Median({})));
}

TEST(LoadLibTest, CountLinesFromAnOffset) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string path =
      std::string(dir != nullptr ? dir : "/tmp") + "/count_lines.txt";
  std::FILE* f = std::fopen(path.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs("one\ntwo\nthree\n", f);
  for (int i = 0; i < 300000; ++i) std::fputs("0123456789\n", f);
  std::fclose(f);
  EXPECT_EQ(*CountLines(path), 300003u);
  EXPECT_EQ(*CountLines(path, 4), 300002u);
  EXPECT_EQ(*CountLines(path, 14), 300000u);
  EXPECT_FALSE(CountLines(path + ".missing").ok());
  ::unlink(path.c_str());
}

RunResult SampleResult() {
  RunResult r;
  r.logger = "relog";
  r.workload = "latency";
  r.threads = 2;
  r.messages = 400000;
  r.seconds = 0.25;
  r.msgs_per_sec = std::nan("");
  r.p50_ns = 91.5;
  r.p999_ns = 1200;
  r.max_ns = 53000;
  r.peak_rss_bytes = 6291456;
  r.pool_hit_rate = 1;
  r.curve_ns = {90, 120, 53000};
  return r;
}

TEST(LoadLibTest, JsonLineRoundTripsAndWritesNullForNaN) {
  const RunResult r = SampleResult();
  const std::string line = ToJsonLine(r);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  EXPECT_NE(line.find("\"logger\":\"relog\""), std::string::npos);
  EXPECT_NE(line.find("\"msgs_per_sec\":null"), std::string::npos);
  EXPECT_NE(line.find("\"p50_ns\":91.5"), std::string::npos);
  EXPECT_NE(line.find("\"messages\":400000"), std::string::npos);
  EXPECT_EQ(line.find("curve_ns"), std::string::npos);

  const RunResult back = *ParseJsonLine(ToJsonLine(r, /*with_curve=*/true));
  EXPECT_EQ(back.logger, "relog");
  EXPECT_EQ(back.workload, "latency");
  EXPECT_EQ(back.threads, 2);
  EXPECT_EQ(back.p50_ns, 91.5);
  EXPECT_EQ(back.max_ns, 53000);
  EXPECT_TRUE(std::isnan(back.msgs_per_sec));
  EXPECT_EQ(back.curve_ns, r.curve_ns);
}

TEST(LoadLibTest, JsonLineIsValidJsonToAnIndependentParser) {
  RunResult r = SampleResult();
  r.logger = "a\"b\\c\n\x01";  // every kind of escape ToJsonLine() writes
  const std::string line = ToJsonLine(r, /*with_curve=*/true);
  const nlohmann::json object = nlohmann::json::parse(line);
  ASSERT_TRUE(object.is_object());
  EXPECT_EQ(object.at("logger"), "a\"b\\c\n\x01");
  EXPECT_EQ(object.at("workload"), "latency");
  EXPECT_EQ(object.at("threads"), 2);
  EXPECT_EQ(object.at("p50_ns"), 91.5);
  EXPECT_TRUE(object.at("msgs_per_sec").is_null());
  EXPECT_EQ(object.at("curve_ns"), nlohmann::json::array({90, 120, 53000}));
  // 2 strings, 19 numbers, the curve.
  EXPECT_EQ(object.size(), 22u);
  EXPECT_EQ(ParseJsonLine(line)->logger, r.logger);
}

TEST(LoadLibTest, JsonLineParserRejectsMalformedOrIncompleteLines) {
  const std::string good = ToJsonLine(SampleResult(), /*with_curve=*/true);
  ASSERT_TRUE(ParseJsonLine(good).ok());
  for (const std::string& bad :
       {std::string(), std::string("{"), good + " x", good.substr(1),
        std::string("[1]"), std::string("{\"logger\":\"relog\"}")}) {
    EXPECT_FALSE(ParseJsonLine(bad).ok()) << bad;
  }
  // A field of the wrong type.
  for (const auto& [from, to] :
       {std::pair{"\"logger\":\"relog\"", "\"logger\":1"},
        std::pair{"\"p50_ns\":91.5", "\"p50_ns\":\"91.5\""},
        std::pair{"\"curve_ns\":[", "\"curve_ns\":[\"x\","},
        std::pair{"\"curve_ns\":[90,120,53000]", "\"curve_ns\":90"}}) {
    std::string bad = good;
    const std::size_t at = bad.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    bad.replace(at, std::string_view(from).size(), to);
    EXPECT_FALSE(ParseJsonLine(bad).ok()) << bad;
  }
}

TEST(LoadLibTest, JsonEscapeEscapesQuotesAndControlCharacters) {
  EXPECT_EQ(JsonEscape("a\"b\\c\n\x02"), "\"a\\\"b\\\\c\\n\\u0002\"");
}

TEST(LoadLibTest, MedianOfTakesEachFieldAndCurvePoint) {
  RunResult a = SampleResult(), b = SampleResult(), c = SampleResult();
  a.p50_ns = 100;
  b.p50_ns = 80;
  c.p50_ns = 90;
  a.curve_ns = {1, 10, 100};
  b.curve_ns = {3, 30, 300};
  c.curve_ns = {2, 20, 200};
  const RunResult m = MedianOf({a, b, c});
  EXPECT_EQ(m.p50_ns, 90);
  EXPECT_EQ(m.runs, 3);
  EXPECT_EQ(m.curve_ns, (std::vector<double>{2, 20, 200}));
  EXPECT_TRUE(std::isnan(m.msgs_per_sec));
  EXPECT_EQ(m.logger, "relog");
}

TEST(LoadLibTest, TableShowsRatiosAndTargets) {
  RunResult relog = SampleResult();
  RunResult spdlog = SampleResult();
  spdlog.logger = "spdlog";
  spdlog.p999_ns = 20000;
  RunResult format = SampleResult();
  format.logger = "format";
  format.p50_ns = 80;
  TableInput in;
  in.header = "header\n";
  in.medians = {relog, spdlog, format};
  const std::string table = FormatTable(in);
  EXPECT_EQ(table.rfind("header\n", 0), 0u);
  EXPECT_NE(table.find("latency, 2 threads"), std::string::npos);
  EXPECT_NE(table.find("p99.9 <= 0.1x spdlog (latency, 2 threads)"),
            std::string::npos);
  // 1200 / 20000 = 0.06: met. 91.5 / 80 = 1.144: met.
  EXPECT_NE(table.find("0.060x  met"), std::string::npos) << table;
  EXPECT_NE(table.find("1.144x  met"), std::string::npos) << table;
  EXPECT_EQ(table.find("throughput"), std::string::npos);
}

TEST(LoadLibTest, PairedFormatBaselineIsCarriedAndChecked) {
  RunResult relog = SampleResult();
  relog.paired_format_p50_ns = 61;  // 91.5 / 61 = 1.5: missed
  const RunResult back = *ParseJsonLine(ToJsonLine(relog));
  EXPECT_EQ(back.paired_format_p50_ns, 61);
  EXPECT_NE(ToJsonLine(relog).find("\"paired_format_p50_ns\":61"),
            std::string::npos);

  TableInput in;
  in.medians = {relog};
  in.compared = false;
  const std::string table = FormatTable(in);
  EXPECT_NE(table.find("paired format"), std::string::npos) << table;
  EXPECT_NE(table.find("p50 <= 1.3x paired format (latency, 2 threads)"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("1.500x  MISSED"), std::string::npos) << table;
}

TEST(LoadLibTest, ChartIsAStandaloneSvgWithOneLinePerSeries) {
  ChartSeries relog{"relog, 1 thread",
                    "#1f77b4",
                    false,
                    {50, 99, 99.9, 100},
                    {80, 200, 400, 50000}};
  ChartSeries spdlog{"spdlog, 1 thread",
                     "#d62728",
                     true,
                     {50, 99, 99.9, 100},
                     {300, 10000, 20000, 2000000}};
  const std::string svg = LatencyChartSvg({relog, spdlog}, "a <title>");
  EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
  EXPECT_NE(svg.find("</svg>"), std::string::npos);
  EXPECT_NE(svg.find("a &lt;title&gt;"), std::string::npos);
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  EXPECT_EQ(svg.find("href"), std::string::npos);
  int polylines = 0;
  for (std::size_t at = 0;
       (at = svg.find("<polyline", at)) != std::string::npos; ++at) {
    ++polylines;
  }
  EXPECT_EQ(polylines, 2);
  for (const char* label :
       {">max<", ">99.9<", ">100 ns<", ">1 ms<", "spdlog, 1 thread"}) {
    EXPECT_NE(svg.find(label), std::string::npos) << label;
  }
}

}  // namespace
}  // namespace relog::load

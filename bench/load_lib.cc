// SPDX-License-Identifier: Apache-2.0

#include "bench/load_lib.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>
#include <limits>
#include <set>
#include <utility>

#include "fmt/format.h"
#include "relog/logger/level.h"
#include "relog/sinks/spec.h"

namespace relog::load {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// The numeric fields of RunResult, in the order they are printed.
struct NumericField {
  const char* name;
  double RunResult::*member;
};
constexpr NumericField kNumericFields[] = {
    {"threads", &RunResult::threads},
    {"runs", &RunResult::runs},
    {"messages", &RunResult::messages},
    {"seconds", &RunResult::seconds},
    {"msgs_per_sec", &RunResult::msgs_per_sec},
    {"p50_ns", &RunResult::p50_ns},
    {"p90_ns", &RunResult::p90_ns},
    {"p99_ns", &RunResult::p99_ns},
    {"p999_ns", &RunResult::p999_ns},
    {"p9999_ns", &RunResult::p9999_ns},
    {"max_ns", &RunResult::max_ns},
    {"allocs_per_call", &RunResult::allocs_per_call},
    {"peak_rss_bytes", &RunResult::peak_rss_bytes},
    {"dropped", &RunResult::dropped},
    {"lines_written", &RunResult::lines_written},
    {"idle_cpu_pct", &RunResult::idle_cpu_pct},
    {"pool_hit_rate", &RunResult::pool_hit_rate},
    {"timer_overhead_ns", &RunResult::timer_overhead_ns},
    {"paired_format_p50_ns", &RunResult::paired_format_p50_ns},
};

// A JSON number, or null for NaN and infinities (JSON has neither).
void AppendNumber(std::string& out, double v) {
  if (!std::isfinite(v)) {
    out += "null";
  } else if (v == std::floor(v) && std::fabs(v) < 1e15) {
    out += fmt::format("{}", static_cast<int64_t>(v));
  } else {
    out += fmt::format("{:.6g}", v);
  }
}

class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : text_(text) {}

  absl::StatusOr<std::map<std::string, JsonValue>> ReadObject() {
    std::map<std::string, JsonValue> object;
    SkipSpace();
    if (!Consume('{')) return Error("expected '{'");
    SkipSpace();
    if (Consume('}')) return Finish(std::move(object));
    while (true) {
      SkipSpace();
      absl::StatusOr<std::string> key = ReadString();
      if (!key.ok()) return key.status();
      SkipSpace();
      if (!Consume(':')) return Error("expected ':'");
      SkipSpace();
      absl::StatusOr<JsonValue> value = ReadValue();
      if (!value.ok()) return value.status();
      if (!object.emplace(*key, std::move(*value)).second) {
        return Error(fmt::format("duplicate key \"{}\"", *key));
      }
      SkipSpace();
      if (Consume('}')) return Finish(std::move(object));
      if (!Consume(',')) return Error("expected ',' or '}'");
    }
  }

 private:
  absl::StatusOr<std::map<std::string, JsonValue>> Finish(
      std::map<std::string, JsonValue> object) {
    SkipSpace();
    if (pos_ != text_.size()) return Error("trailing characters");
    return object;
  }

  absl::Status Error(std::string_view what) const {
    return Invalid(fmt::format("JSON: {} at offset {}", what, pos_));
  }
  void SkipSpace() {
    while (pos_ < text_.size() &&
           (text_[pos_] == ' ' || text_[pos_] == '\t' || text_[pos_] == '\n' ||
            text_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Consume(char c) {
    if (pos_ < text_.size() && text_[pos_] == c) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool ConsumeWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    return false;
  }

  absl::StatusOr<JsonValue> ReadValue() {
    if (pos_ >= text_.size()) return Error("expected a value");
    const char c = text_[pos_];
    if (c == '"') {
      absl::StatusOr<std::string> s = ReadString();
      if (!s.ok()) return s.status();
      return JsonValue(std::move(*s));
    }
    if (c == '[') {
      ++pos_;
      std::vector<double> values;
      SkipSpace();
      if (Consume(']')) return JsonValue(std::move(values));
      while (true) {
        SkipSpace();
        absl::StatusOr<double> v = ReadNumberOrLiteral();
        if (!v.ok()) return v.status();
        values.push_back(*v);
        SkipSpace();
        if (Consume(']')) return JsonValue(std::move(values));
        if (!Consume(',')) return Error("expected ',' or ']'");
      }
    }
    absl::StatusOr<double> v = ReadNumberOrLiteral();
    if (!v.ok()) return v.status();
    return JsonValue(*v);
  }

  absl::StatusOr<double> ReadNumberOrLiteral() {
    if (ConsumeWord("null")) return kNaN;
    if (ConsumeWord("true")) return 1.0;
    if (ConsumeWord("false")) return 0.0;
    const std::size_t start = pos_;
    while (pos_ < text_.size() &&
           std::strchr("+-0123456789.eE", text_[pos_]) != nullptr) {
      ++pos_;
    }
    if (start == pos_) return Error("expected a value");
    // std::from_chars for double: GCC 11+ has it.
    double v = 0;
    const auto [end, ec] =
        std::from_chars(text_.data() + start, text_.data() + pos_, v);
    if (ec != std::errc() || end != text_.data() + pos_) {
      pos_ = start;
      return Error("bad number");
    }
    return v;
  }

  absl::StatusOr<std::string> ReadString() {
    if (!Consume('"')) return Error("expected '\"'");
    std::string out;
    while (pos_ < text_.size()) {
      const char c = text_[pos_++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (pos_ >= text_.size()) break;
      const char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'u': {
          if (pos_ + 4 > text_.size()) return Error("short \\u escape");
          unsigned code = 0;
          const auto [end, ec] = std::from_chars(
              text_.data() + pos_, text_.data() + pos_ + 4, code, 16);
          if (ec != std::errc() || end != text_.data() + pos_ + 4) {
            return Error("bad \\u escape");
          }
          pos_ += 4;
          // Only what JsonEscape() writes (control characters) is needed;
          // other code points below 0x800 are encoded as UTF-8 too.
          if (code < 0x80) {
            out += static_cast<char>(code);
          } else if (code < 0x800) {
            out += static_cast<char>(0xC0 | (code >> 6));
            out += static_cast<char>(0x80 | (code & 0x3F));
          } else {
            return Error("\\u escape above U+07FF not supported");
          }
          break;
        }
        default:
          return Error("bad escape");
      }
    }
    return Error("unterminated string");
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

std::string Plural(double threads) {
  return threads == 1 ? "1 thread" : fmt::format("{:.0f} threads", threads);
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
  for (LoggerKind k : {LoggerKind::kRelog, LoggerKind::kRelogEager,
                       LoggerKind::kSpdlog, LoggerKind::kFormat}) {
    if (text == LoggerKindName(k)) return k;
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
  for (Workload w :
       {Workload::kLatency, Workload::kThroughput, Workload::kIdle}) {
    if (text == WorkloadName(w)) return w;
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

absl::Status ValidateCompare(std::string_view text) {
  if (text == "spdlog" || text == "none") return absl::OkStatus();
  return Invalid(fmt::format(
      "--compare: \"{}\" is not a comparison (expected spdlog or none)", text));
}

absl::Status ValidatePolicy(std::string_view text) {
  if (text == "block" || text == "drop") return absl::OkStatus();
  return Invalid(fmt::format(
      "--policy: \"{}\" is not a policy (expected block or drop)", text));
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

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  if (p >= 100) return sorted.back();
  if (p <= 0) return sorted.front();
  // Nearest rank: the smallest value with at least p% of values <= it.
  // The epsilon keeps 99.9% of 1000 (999.0000000000001 in doubles) at 999.
  const double rank =
      std::ceil(p / 100.0 * static_cast<double>(sorted.size()) - 1e-7);
  std::size_t index = rank < 1 ? 0 : static_cast<std::size_t>(rank) - 1;
  index = std::min(index, sorted.size() - 1);
  return sorted[index];
}

double Median(std::vector<double> values) {
  values.erase(std::remove_if(values.begin(), values.end(),
                              [](double v) { return std::isnan(v); }),
               values.end());
  if (values.empty()) return kNaN;
  std::sort(values.begin(), values.end());
  const std::size_t mid = values.size() / 2;
  return values.size() % 2 == 1 ? values[mid]
                                : (values[mid - 1] + values[mid]) / 2;
}

const std::vector<double>& CurvePercentiles() {
  static const std::vector<double>* const kPercentiles =
      new std::vector<double>{50,   75,    90,    95,     99,     99.5,
                              99.9, 99.95, 99.99, 99.995, 99.999, 100};
  return *kPercentiles;
}

absl::StatusOr<uint64_t> CountLines(const std::string& path, uint64_t offset) {
  int fd;
  do {
    fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0) {
    return absl::NotFoundError(
        fmt::format("open {}: {}", path, std::strerror(errno)));
  }
  std::vector<char> buffer(1 << 20);
  uint64_t lines = 0;
  off_t at = static_cast<off_t>(offset);
  while (true) {
    const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), at);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return absl::InternalError(
          fmt::format("read {}: {}", path, std::strerror(err)));
    }
    if (n == 0) break;
    lines += static_cast<uint64_t>(
        std::count(buffer.data(), buffer.data() + n, '\n'));
    at += n;
  }
  ::close(fd);
  return lines;
}

std::string JsonEscape(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += fmt::format("\\u{:04x}", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string ToJsonLine(const RunResult& r, bool with_curve) {
  std::string out = "{\"logger\":" + JsonEscape(r.logger) +
                    ",\"workload\":" + JsonEscape(r.workload);
  for (const NumericField& f : kNumericFields) {
    out += ",\"";
    out += f.name;
    out += "\":";
    AppendNumber(out, r.*f.member);
  }
  if (with_curve) {
    out += ",\"curve_ns\":[";
    for (std::size_t i = 0; i < r.curve_ns.size(); ++i) {
      if (i > 0) out += ',';
      AppendNumber(out, r.curve_ns[i]);
    }
    out += ']';
  }
  out += '}';
  return out;
}

absl::StatusOr<std::map<std::string, JsonValue>> ParseFlatJsonObject(
    std::string_view text) {
  return JsonReader(text).ReadObject();
}

absl::StatusOr<RunResult> ParseJsonLine(std::string_view line) {
  absl::StatusOr<std::map<std::string, JsonValue>> object =
      ParseFlatJsonObject(line);
  if (!object.ok()) return object.status();
  RunResult r;
  auto string_field = [&](const char* name, std::string& out) -> absl::Status {
    const auto it = object->find(name);
    if (it == object->end() ||
        !std::holds_alternative<std::string>(it->second)) {
      return Invalid(fmt::format("result line: no string \"{}\"", name));
    }
    out = std::get<std::string>(it->second);
    return absl::OkStatus();
  };
  if (absl::Status s = string_field("logger", r.logger); !s.ok()) return s;
  if (absl::Status s = string_field("workload", r.workload); !s.ok()) return s;
  for (const NumericField& f : kNumericFields) {
    const auto it = object->find(f.name);
    if (it == object->end() || !std::holds_alternative<double>(it->second)) {
      return Invalid(fmt::format("result line: no number \"{}\"", f.name));
    }
    r.*f.member = std::get<double>(it->second);
  }
  if (const auto it = object->find("curve_ns"); it != object->end()) {
    if (!std::holds_alternative<std::vector<double>>(it->second)) {
      return Invalid("result line: \"curve_ns\" is not an array");
    }
    r.curve_ns = std::get<std::vector<double>>(it->second);
  }
  return r;
}

RunResult MedianOf(const std::vector<RunResult>& runs) {
  RunResult m;
  if (runs.empty()) return m;
  m.logger = runs.front().logger;
  m.workload = runs.front().workload;
  for (const NumericField& f : kNumericFields) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const RunResult& r : runs) values.push_back(r.*f.member);
    m.*f.member = Median(std::move(values));
  }
  m.runs = static_cast<double>(runs.size());
  std::size_t points = runs.front().curve_ns.size();
  for (const RunResult& r : runs) points = std::min(points, r.curve_ns.size());
  for (std::size_t i = 0; i < points; ++i) {
    std::vector<double> values;
    values.reserve(runs.size());
    for (const RunResult& r : runs) values.push_back(r.curve_ns[i]);
    m.curve_ns.push_back(Median(std::move(values)));
  }
  return m;
}

namespace {

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
        out += fmt::format("  {:<15} {:>12} {:>12} {:>12} {:>12} {:>13}\n",
                           row.label, Cell(value(relog), row.kind),
                           Cell(value(eager), row.kind),
                           Cell(value(spdlog), row.kind),
                           Cell(value(format), row.kind),
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
          ratio_check("p99.99 <= 0.05x spdlog (" + where + ")",
                      relog->p9999_ns, spdlog->p9999_ns, false, 0.05);
        }
        if (format != nullptr) {
          ratio_check("p50 <= 1.3x format (" + where + ")", relog->p50_ns,
                      format->p50_ns, false, 1.3);
          ratio_check("p50 <= 0.15x format (" + where + ")", relog->p50_ns,
                      format->p50_ns, false, 0.15);
          ratio_check("p99.9 <= 0.5x format (" + where + ")", relog->p999_ns,
                      format->p999_ns, false, 0.5);
        }
        ratio_check("p50 <= 1.3x paired format (" + where + ")",
                    relog->p50_ns, relog->paired_format_p50_ns, false, 1.3);
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

namespace {

// Where a percentile sits on the x axis: the count of nines, -log10(1 - p).
double Nines(double p) { return -std::log10(1.0 - p / 100.0); }

std::string NsLabel(double ns) {
  if (ns >= 1e9) return fmt::format("{:g} s", ns / 1e9);
  if (ns >= 1e6) return fmt::format("{:g} ms", ns / 1e6);
  if (ns >= 1e3) return fmt::format("{:g} \u00b5s", ns / 1e3);
  return fmt::format("{:g} ns", ns);
}

std::string XmlEscape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace

std::string LatencyChartSvg(const std::vector<ChartSeries>& series,
                            std::string_view title) {
  constexpr double kWidth = 800, kHeight = 500;
  constexpr double kLeft = 80, kRight = 190, kTop = 40, kBottom = 60;
  const double plot_w = kWidth - kLeft - kRight;
  const double plot_h = kHeight - kTop - kBottom;

  // x: nines of every finite percentile; the maximum goes one step right of
  // the largest.
  double max_nines = Nines(99.99);
  double min_ns = 1e300, max_ns = 0;
  for (const ChartSeries& s : series) {
    for (std::size_t i = 0; i < s.percentiles.size(); ++i) {
      if (s.percentiles[i] < 100) {
        max_nines = std::max(max_nines, Nines(s.percentiles[i]));
      }
      if (i < s.values_ns.size()) {
        const double v = std::max(1.0, s.values_ns[i]);
        min_ns = std::min(min_ns, v);
        max_ns = std::max(max_ns, v);
      }
    }
  }
  if (max_ns == 0) min_ns = max_ns = 1;
  const double x_min = Nines(50);
  const double x_max = std::ceil(max_nines) + 1;  // "max"
  const double y_lo = std::floor(std::log10(min_ns));
  double y_hi = std::ceil(std::log10(max_ns));
  if (y_hi <= y_lo) y_hi = y_lo + 1;

  auto px = [&](double p) {
    const double n = p >= 100 ? x_max : Nines(p);
    return kLeft + (n - x_min) / (x_max - x_min) * plot_w;
  };
  auto py = [&](double ns) {
    const double l = std::log10(std::max(1.0, ns));
    return kTop + plot_h - (l - y_lo) / (y_hi - y_lo) * plot_h;
  };

  std::string out = fmt::format(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" "
      "font-size=\"12\">\n"
      "<rect width=\"{0}\" height=\"{1}\" fill=\"white\"/>\n"
      "<text x=\"{2}\" y=\"24\" font-size=\"15\" "
      "text-anchor=\"middle\">{3}</text>\n",
      kWidth, kHeight, kLeft + plot_w / 2, XmlEscape(title));

  // y grid: one line per decade, labelled.
  for (int e = static_cast<int>(y_lo); e <= static_cast<int>(y_hi); ++e) {
    const double ns = std::pow(10.0, e);
    const double y = py(ns);
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"#ddd\"/>\n<text x=\"{:.1f}\" y=\"{:.1f}\" "
        "text-anchor=\"end\">{}</text>\n",
        kLeft, y, kLeft + plot_w, y, kLeft - 6, y + 4, NsLabel(ns));
  }
  // x grid: 50, 90, 99, 99.9, ... and max.
  std::vector<std::pair<double, std::string>> ticks = {{50, "50"}, {90, "90"}};
  double p = 99;
  for (int nines = 2; nines < x_max - 1e-9; ++nines) {
    std::string label = fmt::format("{:.{}f}", p, std::max(0, nines - 2));
    ticks.emplace_back(p, label);
    p = 100 - (100 - p) / 10;
  }
  ticks.emplace_back(100, "max");
  for (const auto& [tp, label] : ticks) {
    const double x = px(tp);
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"#ddd\"/>\n<text x=\"{:.1f}\" y=\"{:.1f}\" "
        "text-anchor=\"middle\">{}</text>\n",
        x, kTop, x, kTop + plot_h, x, kTop + plot_h + 18, label);
  }
  out += fmt::format(
      "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" "
      "fill=\"none\" stroke=\"#333\"/>\n"
      "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">percentile "
      "of calls</text>\n"
      "<text x=\"18\" y=\"{:.1f}\" text-anchor=\"middle\" "
      "transform=\"rotate(-90 18 {:.1f})\">latency per call (log "
      "scale)</text>\n",
      kLeft, kTop, plot_w, plot_h, kLeft + plot_w / 2, kHeight - 18,
      kTop + plot_h / 2, kTop + plot_h / 2);

  // The series, and the legend on the right.
  for (std::size_t i = 0; i < series.size(); ++i) {
    const ChartSeries& s = series[i];
    std::string points;
    const std::size_t n = std::min(s.percentiles.size(), s.values_ns.size());
    for (std::size_t j = 0; j < n; ++j) {
      points += fmt::format("{}{:.1f},{:.1f}", j == 0 ? "" : " ",
                            px(s.percentiles[j]), py(s.values_ns[j]));
    }
    const std::string dash = s.dashed ? " stroke-dasharray=\"6,4\"" : "";
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" "
        "stroke-width=\"2\"{}/>\n",
        points, XmlEscape(s.color), dash);
    for (std::size_t j = 0; j < n; ++j) {
      out += fmt::format(
          "<circle cx=\"{:.1f}\" cy=\"{:.1f}\" r=\"2.5\" fill=\"{}\"/>\n",
          px(s.percentiles[j]), py(s.values_ns[j]), XmlEscape(s.color));
    }
    const double ly = kTop + 10 + 20 * static_cast<double>(i);
    const double lx = kLeft + plot_w + 14;
    out += fmt::format(
        "<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" "
        "stroke=\"{}\" stroke-width=\"2\"{}/>\n<text x=\"{:.1f}\" "
        "y=\"{:.1f}\">{}</text>\n",
        lx, ly, lx + 26, ly, XmlEscape(s.color), dash, lx + 32, ly + 4,
        XmlEscape(s.name));
  }
  out += "</svg>\n";
  return out;
}

}  // namespace relog::load

// SPDX-License-Identifier: Apache-2.0

#include "bench/load_result.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "fmt/format.h"
#include "nlohmann/json.hpp"

namespace relog::load {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

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

// A number field of a result line: a JSON number, or null for NaN.
std::optional<double> NumberOrNull(const nlohmann::json& value) {
  if (value.is_null()) return kNaN;
  if (value.is_number()) return value.get<double>();
  return std::nullopt;
}

}  // namespace

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

absl::StatusOr<RunResult> ParseJsonLine(std::string_view line) {
  const nlohmann::json object = nlohmann::json::parse(
      line.begin(), line.end(), /*cb=*/nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return Invalid("result line: not JSON");
  if (!object.is_object()) return Invalid("result line: not a JSON object");
  RunResult r;
  for (auto [name, out] :
       {std::pair{"logger", &r.logger}, std::pair{"workload", &r.workload}}) {
    const auto it = object.find(name);
    if (it == object.end() || !it->is_string()) {
      return Invalid(fmt::format("result line: no string \"{}\"", name));
    }
    *out = it->get<std::string>();
  }
  for (const NumericField& f : kNumericFields) {
    const auto it = object.find(f.name);
    const std::optional<double> v =
        it == object.end() ? std::nullopt : NumberOrNull(*it);
    if (!v) {
      return Invalid(fmt::format("result line: no number \"{}\"", f.name));
    }
    r.*f.member = *v;
  }
  if (const auto it = object.find("curve_ns"); it != object.end()) {
    if (!it->is_array()) {
      return Invalid("result line: \"curve_ns\" is not an array");
    }
    for (const nlohmann::json& point : *it) {
      const std::optional<double> v = NumberOrNull(point);
      if (!v) return Invalid("result line: \"curve_ns\" holds a non-number");
      r.curve_ns.push_back(*v);
    }
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

}  // namespace relog::load

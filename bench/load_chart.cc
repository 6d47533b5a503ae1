// SPDX-License-Identifier: Apache-2.0

#include "bench/load_chart.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "fmt/format.h"

namespace relog::load {
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

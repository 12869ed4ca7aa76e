#include "assay/protocols/figures/kinetic_traces_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "assay/protocols/figures/svg.hpp"

namespace assay::protocols::figures {
namespace {

double auto_cell_px(int columns) {
  if (columns <= 12) return 78.0;
  if (columns <= 24) return 46.0;
  return 26.0;
}

// Hex colour between two RGB colours.
std::string mix(int r0, int g0, int b0, int r1, int g1, int b1, double t) {
  t = std::clamp(t, 0.0, 1.0);
  char buffer[8];
  std::snprintf(buffer, sizeof buffer, "#%02x%02x%02x", static_cast<int>(r0 + (r1 - r0) * t),
                static_cast<int>(g0 + (g1 - g0) * t), static_cast<int>(b0 + (b1 - b0) * t));
  return buffer;
}

std::string row_label(int row) {
  std::string label;
  if (row >= 26) label += static_cast<char>('A' + row / 26 - 1);
  label += static_cast<char>('A' + row % 26);
  return label;
}

}  // namespace

std::string role_color(const std::string& role, double shade) {
  if (role == "positive_control") return "#D55E00";   // agonist + vehicle: full response
  if (role == "negative_control") return "#555555";   // no agonist
  if (role == "blank") return "#AAAAAA";
  // Samples: light blue (low concentration, still responding) to dark blue (high concentration).
  return mix(0x56, 0xB4, 0xE9, 0x08, 0x30, 0x6B, shade);
}

std::string kinetic_traces_svg(const std::vector<WellTrace>& traces,
                               const KineticTracesOptions& options) {
  const double cell = options.cell_px > 0 ? options.cell_px : auto_cell_px(options.columns);
  const double gap = std::max(1.0, cell * 0.06);
  const double label_w = options.columns > 24 ? 26 : 22;
  const double title_h = options.title.empty() ? 12 : 38;
  const double legend_h = 44;
  const double left = label_w + 6, top = title_h + 16;
  const double width = left + options.columns * cell + 12;
  const double height = top + options.rows * cell + legend_h;
  const bool tiny = cell < 32;

  double t_lo = std::numeric_limits<double>::infinity(), t_hi = -t_lo;
  double y_lo = t_lo, y_hi = -t_lo;
  for (const auto& trace : traces) {
    for (std::size_t i = 0; i < trace.time_s.size() && i < trace.value.size(); ++i) {
      if (!std::isfinite(trace.value[i])) continue;
      t_lo = std::min(t_lo, trace.time_s[i]);
      t_hi = std::max(t_hi, trace.time_s[i]);
      y_lo = std::min(y_lo, trace.value[i]);
      y_hi = std::max(y_hi, trace.value[i]);
    }
  }
  if (!std::isfinite(t_lo) || t_hi <= t_lo) t_lo = 0, t_hi = 1;
  if (!std::isfinite(y_lo) || y_hi <= y_lo) y_lo = 0, y_hi = 1;
  y_lo = options.y_min.value_or(y_lo);
  y_hi = options.y_max.value_or(y_hi);
  const double pad = cell * 0.1;

  Svg svg(width, height);
  if (!options.title.empty()) {
    svg.text(left, 24, options.title, 15, "start", "font-weight=\"bold\"");
  }
  const double label_size = tiny ? 7 : 10;
  for (int c = 0; c < options.columns; ++c) {
    if (tiny && (c + 1) % 4 != 0 && c != 0) continue;
    svg.text(left + (c + 0.5) * cell, top - 4, std::to_string(c + 1), label_size, "middle", "fill=\"#444\"");
  }
  for (int r = 0; r < options.rows; ++r) {
    if (tiny && r % 2 != 0) continue;
    svg.text(left - 4, top + (r + 0.5) * cell + label_size / 3, row_label(r), label_size, "end",
             "fill=\"#444\"");
  }
  // Empty well positions, so the plate reads as a plate.
  svg.raw("<g fill=\"#f4f4f4\">");
  for (int r = 0; r < options.rows; ++r) {
    for (int c = 0; c < options.columns; ++c) {
      svg.rect(left + c * cell + gap / 2, top + r * cell + gap / 2, cell - gap, cell - gap, "#f6f6f6");
    }
  }
  svg.raw("</g>");

  const std::size_t max_points = static_cast<std::size_t>(std::max(12.0, cell * 1.5));
  for (const auto& trace : traces) {
    const double x0 = left + trace.position.column * cell + gap / 2;
    const double y0 = top + trace.position.row * cell + gap / 2;
    const double w = cell - gap, h = cell - gap;
    svg.rect(x0, y0, w, h, "white", trace.flagged ? "#E0002A" : "#d0d0d0",
             std::string("stroke-width=\"") + (trace.flagged ? "1.5" : "0.5") + "\"");
    auto px = [&](double t) { return x0 + pad / 2 + (t - t_lo) / (t_hi - t_lo) * (w - pad); };
    auto py = [&](double v) {
      double f = std::clamp((v - y_lo) / (y_hi - y_lo), 0.0, 1.0);
      return y0 + h - pad / 2 - f * (h - pad);
    };
    if (options.injection_time_s && *options.injection_time_s >= t_lo &&
        *options.injection_time_s <= t_hi) {
      double x = px(*options.injection_time_s);
      svg.line(x, y0 + 1, x, y0 + h - 1, "#bbbbbb", 0.5, "stroke-dasharray=\"2 2\"");
    }
    std::vector<std::pair<double, double>> line;
    const std::size_t n = std::min(trace.time_s.size(), trace.value.size());
    // Thinning keeps each bucket's extreme so a transient's peak is never lost.
    const std::size_t step = std::max<std::size_t>(1, (n + max_points - 1) / max_points);
    for (std::size_t i = 0; i < n; i += step) {
      std::size_t best = i;
      for (std::size_t k = i; k < std::min(n, i + step); ++k) {
        if (std::isfinite(trace.value[k]) &&
            (!std::isfinite(trace.value[best]) || trace.value[k] > trace.value[best])) {
          best = k;
        }
      }
      if (std::isfinite(trace.value[best])) line.emplace_back(px(trace.time_s[best]), py(trace.value[best]));
    }
    std::string tip = trace.label.empty() ? trace.well : trace.label;
    svg.raw("<g><title>" + escape_xml(tip) + "</title>");
    svg.polyline(line, role_color(trace.role, trace.shade), tiny ? 0.8 : 1.2);
    svg.raw("</g>");
  }

  // Legend: roles and the y scale shared by all thumbnails.
  double ly = top + options.rows * cell + 22, lx = left;
  const std::pair<const char*, const char*> roles[] = {{"positive_control", "agonist + vehicle"},
                                                       {"negative_control", "no agonist"},
                                                       {"sample", "sample (darker = higher conc.)"},
                                                       {"blank", "blank"}};
  for (const auto& [role, text] : roles) {
    svg.line(lx, ly - 4, lx + 18, ly - 4, role_color(role, 0.8), 2.0);
    svg.text(lx + 22, ly, text, 11);
    lx += 24 + 7.0 * std::string(text).size() + 14;
  }
  svg.rect(lx, ly - 10, 14, 10, "white", "#E0002A", "stroke-width=\"1.5\"");
  svg.text(lx + 18, ly, "flagged", 11);
  lx += 80;
  // The read starts at 0 s; the first well is read a fraction of a millisecond later.
  const double t_start = t_lo < 0.01 * (t_hi - t_lo) ? 0.0 : t_lo;
  std::string scale = "each thumbnail: " + options.y_label + " " + format_significant(y_lo, 2) +
                      " to " + format_significant(y_hi, 2) + " (shared), time " +
                      format_number(t_start, 3) + " to " + format_number(t_hi, 3) + " s";
  if (options.injection_time_s) {
    scale += ", injection at " + format_number(*options.injection_time_s, 3) + " s (dashed)";
  }
  svg.text(left, ly + 16, scale, 10, "start", "fill=\"#555\"");
  return svg.str();
}

void write_kinetic_traces_svg(const std::filesystem::path& path,
                              const std::vector<WellTrace>& traces,
                              const KineticTracesOptions& options) {
  Svg::write_text(path, kinetic_traces_svg(traces, options));
}

}  // namespace assay::protocols::figures

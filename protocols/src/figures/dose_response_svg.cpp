#include "assay/protocols/figures/dose_response_svg.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

#include "assay/protocols/figures/svg.hpp"

namespace assay::protocols::figures {
namespace {

using Point2 = std::pair<double, double>;

constexpr double kCurveSamples = 160;
constexpr double kPointRadius = 3.6;

bool has(const fit::DoseResponseFit& f, const char* flag) {
  return std::find(f.flags.begin(), f.flags.end(), flag) != f.flags.end();
}

// A curve is drawn when the fit converged to finite parameters; an IC50 only when it is usable.
bool curve_drawable(const DoseResponseSeries& s) {
  return s.fit && s.fit->converged && std::isfinite(s.fit->log_ic50.value) &&
         std::isfinite(s.fit->top.value) && std::isfinite(s.fit->bottom.value) &&
         std::isfinite(s.fit->hill_slope.value);
}
bool ic50_usable(const DoseResponseSeries& s) {
  return curve_drawable(s) && !has(*s.fit, fit::kFlagInactive) &&
         !has(*s.fit, fit::kFlagTooFewPoints);
}

double curve_y(const fit::DoseResponseFit& f, double conc) {
  if (conc <= 0) return f.hill_slope.value < 0 ? f.top.value : f.bottom.value;
  double e = (f.log_ic50.value - std::log10(conc)) * f.hill_slope.value;
  return f.bottom.value + (f.top.value - f.bottom.value) / (1 + std::pow(10.0, std::min(e, 300.0)));
}

std::string color_of(const DoseResponseSeries& s, std::size_t index) {
  return s.color.empty() ? palette_color(index) : s.color;
}

std::string ic50_text(const DoseResponseSeries& s, const std::string& unit) {
  if (!s.fit) return "no fit";
  if (!ic50_usable(s)) {
    if (has(*s.fit, fit::kFlagInactive)) return "inactive (no IC50)";
    if (has(*s.fit, fit::kFlagTooFewPoints)) return "too few points";
    return "fit did not converge";
  }
  std::string text = "IC50 " + format_significant(s.fit->ic50, 3) + " " + unit;
  if (std::isfinite(s.fit->ic50_ci_low) && std::isfinite(s.fit->ic50_ci_high) &&
      s.fit->ic50_ci_high > 0) {
    text += " (95% CI " + format_significant(s.fit->ic50_ci_low, 3) + "–" +
            format_significant(s.fit->ic50_ci_high, 3) + ")";
  }
  if (has(*s.fit, fit::kFlagExtrapolated)) text += " (extrapolated)";
  return text;
}

struct Frame {
  double left, top, width, height;  // plot area in px
  double log_lo, log_hi;            // log10 concentration range of the log axis
  double y_lo, y_hi;
  bool zero_slot;                   // vehicle points drawn left of an axis break
  double zero_x;                    // px of the "0" slot
  double log_left;                  // px where the log axis starts
  std::string clip_id;              // SVG clip path of the plot area

  double x(double conc) const {
    if (conc <= 0) return zero_x;
    double f = (std::log10(conc) - log_lo) / (log_hi - log_lo);
    return log_left + f * (left + width - log_left);
  }
  double y(double value) const {
    double f = (value - y_lo) / (y_hi - y_lo);
    return top + height - std::clamp(f, -0.05, 1.05) * height;
  }
};

Frame make_frame(const std::vector<const DoseResponseSeries*>& series,
                 const DoseResponsePlotOptions& options, double left, double top, double width,
                 double height) {
  double c_lo = std::numeric_limits<double>::infinity(), c_hi = 0.0;
  double y_lo = std::numeric_limits<double>::infinity();
  double y_hi = -std::numeric_limits<double>::infinity();
  bool zero = false;
  for (const auto* s : series) {
    for (const auto& p : s->points) {
      if (!std::isfinite(p.response)) continue;
      if (p.conc <= 0) zero = true;
      else c_lo = std::min(c_lo, p.conc), c_hi = std::max(c_hi, p.conc);
      y_lo = std::min(y_lo, p.response);
      y_hi = std::max(y_hi, p.response);
    }
    if (curve_drawable(*s)) {
      for (double v : {s->fit->top.value, s->fit->bottom.value}) {
        y_lo = std::min(y_lo, v);
        y_hi = std::max(y_hi, v);
      }
    }
  }
  if (!std::isfinite(c_lo)) c_lo = 1, c_hi = 1000;
  for (const auto& line : options.reference_lines) {
    if (!std::isfinite(line.value)) continue;
    y_lo = std::min(y_lo, line.value);
    y_hi = std::max(y_hi, line.value);
  }
  if (!std::isfinite(y_lo)) y_lo = 0, y_hi = 100;
  if (c_hi <= c_lo) c_hi = c_lo * 10;
  if (y_hi <= y_lo) y_hi = y_lo + 1;
  double margin = 0.08 * (y_hi - y_lo);
  Frame f{};
  f.left = left, f.top = top, f.width = width, f.height = height;
  f.log_lo = std::floor(std::log10(c_lo) - 0.15);
  f.log_hi = std::ceil(std::log10(c_hi) + 0.15);
  f.y_lo = options.y_min.value_or(y_lo - margin);
  f.y_hi = options.y_max.value_or(y_hi + margin);
  f.zero_slot = zero;
  f.zero_x = left + 18;
  f.log_left = zero ? left + 48 : left;
  return f;
}

void draw_axes(Svg& svg, const Frame& f, const DoseResponsePlotOptions& options) {
  const std::string axis = "#333333", grid = "#e6e6e6";
  double bottom = f.top + f.height;
  for (const auto& tick : linear_ticks(f.y_lo, f.y_hi, 6)) {
    double y = f.y(tick.value);
    svg.line(f.left, y, f.left + f.width, y, grid, 1);
    svg.line(f.left - 5, y, f.left, y, axis, 1);
    svg.text(f.left - 8, y + 4, tick.label, 11, "end", "fill=\"#333\"");
  }
  for (const auto& tick : log10_ticks(std::pow(10.0, f.log_lo), std::pow(10.0, f.log_hi))) {
    double x = f.x(tick.value);
    if (tick.major) svg.line(x, f.top, x, bottom, grid, 1);
    svg.line(x, bottom, x, bottom + (tick.major ? 6 : 3), axis, 1);
    if (tick.major) svg.text(x, bottom + 19, tick.label, 11, "middle", "fill=\"#333\"");
  }
  svg.line(f.left, f.top, f.left, bottom, axis, 1.2);
  svg.line(f.log_left, bottom, f.left + f.width, bottom, axis, 1.2);
  if (f.zero_slot) {
    // The vehicle slot and a "//" break: concentration 0 has no place on a log axis.
    svg.line(f.left, bottom, f.zero_x + 12, bottom, axis, 1.2);
    svg.line(f.zero_x, bottom, f.zero_x, bottom + 6, axis, 1);
    svg.text(f.zero_x, bottom + 19, "0", 11, "middle", "fill=\"#333\"");
    for (double dx : {0.0, 6.0}) {
      svg.line(f.zero_x + 16 + dx, bottom + 5, f.zero_x + 22 + dx, bottom - 5, axis, 1.2);
    }
  }
  for (const auto& line : options.reference_lines) {
    if (!std::isfinite(line.value) || line.value < f.y_lo || line.value > f.y_hi) continue;
    double y = f.y(line.value);
    svg.line(f.left, y, f.left + f.width, y, "#555555", 1.2, "stroke-dasharray=\"6 4\"");
    svg.text(f.left + f.width - 4, y - 5, line.label, 11, "end", "fill=\"#444\"");
  }
  svg.text(f.left + f.width / 2, bottom + 40, options.x_label, 13, "middle");
  svg.text(f.left - 48, f.top + f.height / 2, options.y_label, 13, "middle",
           "transform=\"rotate(-90 " + format_number(f.left - 48, 6) + " " +
               format_number(f.top + f.height / 2, 6) + ")\"");
}

void draw_series(Svg& svg, const Frame& f, const DoseResponseSeries& s, const std::string& color,
                 const DoseResponsePlotOptions& options) {
  std::string clip = "clip-path=\"url(#" + f.clip_id + ")\"";
  if (curve_drawable(s)) {
    std::vector<double> concs;
    for (int i = 0; i <= kCurveSamples; ++i) {
      concs.push_back(std::pow(10.0, f.log_lo + (f.log_hi - f.log_lo) * i / kCurveSamples));
    }
    if (options.show_ci_band) {
      auto band = confidence_band(s.points, *s.fit, concs, 0.95);
      if (!band.empty()) {
        std::vector<Point2> outline;
        for (const auto& b : band) outline.emplace_back(f.x(b.conc), f.y(b.high));
        for (auto it = band.rbegin(); it != band.rend(); ++it) {
          outline.emplace_back(f.x(it->conc), f.y(it->low));
        }
        svg.polygon(outline, color, "fill-opacity=\"0.15\" " + clip);
      }
    }
    std::vector<Point2> curve;
    for (double c : concs) curve.emplace_back(f.x(c), f.y(curve_y(*s.fit, c)));
    svg.polyline(curve, color, 2.0, clip);
    if (options.mark_ic50 && ic50_usable(s) && s.fit->log_ic50.value >= f.log_lo &&
        s.fit->log_ic50.value <= f.log_hi) {
      double x = f.x(s.fit->ic50);
      double y = f.y(curve_y(*s.fit, s.fit->ic50));
      svg.line(x, y, x, f.top + f.height, color, 1.2, "stroke-dasharray=\"4 3\"");
      svg.circle(x, y, 4.5, "white", color, "stroke-width=\"2\"");
    }
  }
  for (const auto& p : s.points) {
    if (!std::isfinite(p.response)) continue;
    svg.circle(f.x(p.conc), f.y(p.response), kPointRadius, color, "white",
               "stroke-width=\"0.8\" fill-opacity=\"0.85\"");
  }
}

void add_clip(Svg& svg, const Frame& f) {
  svg.raw("<defs><clipPath id=\"" + f.clip_id + "\"><rect x=\"" +
          format_number(f.left, 6) + "\" y=\"" + format_number(f.top, 6) + "\" width=\"" +
          format_number(f.width, 6) + "\" height=\"" + format_number(f.height, 6) +
          "\"/></clipPath></defs>");
}

}  // namespace

std::string dose_response_svg(const std::vector<DoseResponseSeries>& series,
                              const DoseResponsePlotOptions& options) {
  const double margin_left = 78, margin_top = options.title.empty() ? 20 : 44, margin_bottom = 58;
  if (!options.panel_per_series || series.size() <= 1) {
    const double legend_w = 280;
    Svg svg(options.width_px, options.height_px);
    if (!options.title.empty()) svg.text(options.width_px / 2, 26, options.title, 16, "middle",
                                         "font-weight=\"bold\"");
    std::vector<const DoseResponseSeries*> all;
    for (const auto& s : series) all.push_back(&s);
    Frame f = make_frame(all, options, margin_left, margin_top,
                         options.width_px - margin_left - legend_w - 16,
                         options.height_px - margin_top - margin_bottom);
    f.clip_id = options.id_prefix + "0";
    add_clip(svg, f);
    draw_axes(svg, f, options);
    for (std::size_t i = 0; i < series.size(); ++i) {
      draw_series(svg, f, series[i], color_of(series[i], i), options);
    }
    double lx = f.left + f.width + 22, ly = f.top + 8;
    for (std::size_t i = 0; i < series.size(); ++i) {
      std::string color = color_of(series[i], i);
      svg.line(lx, ly + 4, lx + 22, ly + 4, color, 2.0);
      svg.circle(lx + 11, ly + 4, kPointRadius, color, "white", "stroke-width=\"0.8\"");
      svg.text(lx + 30, ly + 8, series[i].name, 12, "start", "font-weight=\"bold\"");
      svg.text(lx + 30, ly + 23, ic50_text(series[i], options.concentration_unit), 11, "start",
               "fill=\"#444\"");
      ly += 38;
    }
    if (options.show_ci_band && !series.empty()) {
      svg.text(lx, ly + 8, "shaded: 95 % confidence band", 10, "start", "fill=\"#666\"");
    }
    return svg.str();
  }

  const int columns = std::max(1, std::min<int>(options.panel_columns, series.size()));
  const int rows = static_cast<int>((series.size() + columns - 1) / columns);
  const double panel_w = options.width_px, panel_h = options.height_px;
  const double title_h = options.title.empty() ? 0 : 34;
  Svg svg(panel_w * columns, panel_h * rows + title_h);
  if (!options.title.empty()) {
    svg.text(panel_w * columns / 2, 24, options.title, 16, "middle", "font-weight=\"bold\"");
  }
  for (std::size_t i = 0; i < series.size(); ++i) {
    double x0 = (i % columns) * panel_w, y0 = title_h + (i / columns) * panel_h;
    Frame f = make_frame({&series[i]}, options, x0 + margin_left, y0 + 48,
                         panel_w - margin_left - 20, panel_h - 48 - margin_bottom);
    f.clip_id = options.id_prefix + std::to_string(i);
    add_clip(svg, f);
    draw_axes(svg, f, options);
    std::string color = color_of(series[i], i);
    draw_series(svg, f, series[i], color, options);
    svg.text(f.left, y0 + 20, series[i].name, 13, "start", "font-weight=\"bold\"");
    svg.text(f.left, y0 + 37, ic50_text(series[i], options.concentration_unit), 11, "start",
             "fill=\"#444\"");
  }
  return svg.str();
}

void write_dose_response_svg(const std::filesystem::path& path,
                             const std::vector<DoseResponseSeries>& series,
                             const DoseResponsePlotOptions& options) {
  Svg::write_text(path, dose_response_svg(series, options));
}

}  // namespace assay::protocols::figures

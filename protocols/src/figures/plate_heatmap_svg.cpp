#include "assay/protocols/figures/plate_heatmap_svg.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "assay/protocols/figures/svg.hpp"

namespace assay::protocols::figures {
namespace {

// Viridis sampled at 9 stops (matplotlib's table), interpolated linearly between them.
constexpr std::array<std::array<double, 3>, 9> kViridis{{{68, 1, 84},
                                                         {71, 44, 122},
                                                         {59, 81, 139},
                                                         {44, 113, 142},
                                                         {33, 144, 141},
                                                         {39, 173, 129},
                                                         {92, 200, 99},
                                                         {170, 220, 50},
                                                         {253, 231, 37}}};

// A value that fits a well: 3 significant digits with k or M for thousands and millions.
std::string compact(double value) {
  const double a = std::abs(value);
  if (a >= 1e6) return format_significant(value / 1e6, 3) + "M";
  if (a >= 1e3) return format_significant(value / 1e3, 3) + "k";
  return format_number(value, 3);
}

// Text on a well: white on the dark end of the scale, black on the light end.
std::string text_color(double t) { return t < 0.55 ? "white" : "black"; }

}  // namespace

std::string viridis_color(double t) {
  t = std::isfinite(t) ? std::clamp(t, 0.0, 1.0) : 0.0;
  double x = t * (kViridis.size() - 1);
  auto i = std::min<std::size_t>(static_cast<std::size_t>(x), kViridis.size() - 2);
  double f = x - i;
  char text[8];
  int rgb[3];
  for (int c = 0; c < 3; ++c) rgb[c] = static_cast<int>(std::lround(kViridis[i][c] + f * (kViridis[i + 1][c] - kViridis[i][c])));
  std::snprintf(text, sizeof text, "#%02x%02x%02x", rgb[0], rgb[1], rgb[2]);
  return text;
}

std::string plate_heatmap_svg(const std::vector<HeatmapWell>& wells, const PlateHeatmapOptions& options) {
  const int rows = std::max(1, options.rows), columns = std::max(1, options.columns);
  const double cell = options.cell_px > 0 ? options.cell_px
                      : columns <= 12   ? 44.0
                      : columns <= 24   ? 24.0
                                        : 13.0;
  const bool values_in_wells = rows * columns <= 96;
  const double left = 34, top = options.title.empty() ? 26 : 50, bar_w = 16, bar_gap = 26;
  const double plate_w = columns * cell, plate_h = rows * cell;
  const double width = left + plate_w + bar_gap + bar_w + 70, height = top + plate_h + 16;

  double lo = INFINITY, hi = -INFINITY;
  for (const auto& w : wells) {
    if (w.value && std::isfinite(*w.value)) lo = std::min(lo, *w.value), hi = std::max(hi, *w.value);
  }
  const bool any = std::isfinite(lo);
  if (any && hi <= lo) hi = lo + (lo == 0 ? 1.0 : std::abs(lo) * 0.01);
  auto scale = [&](double v) { return any ? (v - lo) / (hi - lo) : 0.0; };

  Svg svg(width, height);
  if (!options.title.empty()) svg.text(left, 24, options.title, 15, "start", "font-weight=\"bold\"");
  const double label_size = std::clamp(cell * 0.45, 7.0, 12.0);
  for (int c = 0; c < columns; ++c) {
    if (columns > 24 && c % 4 != 0) continue;
    svg.text(left + (c + 0.5) * cell, top - 6, std::to_string(c + 1), label_size, "middle", "fill=\"#333\"");
  }
  for (int r = 0; r < rows; ++r) {
    if (rows > 16 && r % 2 != 0) continue;
    std::string letters = drivers::well_name({r, 0});
    letters.pop_back();  // "A1" -> "A"
    svg.text(left - 6, top + (r + 0.5) * cell + label_size * 0.35, letters, label_size, "end", "fill=\"#333\"");
  }
  svg.rect(left, top, plate_w, plate_h, "#d9d9d9");
  for (const auto& w : wells) {
    if (w.position.row < 0 || w.position.row >= rows || w.position.column < 0 || w.position.column >= columns) continue;
    const double x = left + w.position.column * cell, y = top + w.position.row * cell;
    const bool has = w.value && std::isfinite(*w.value);
    const std::string fill = has ? viridis_color(scale(*w.value)) : "#d9d9d9";
    const std::string stroke = w.flagged ? "#d62728" : "white";
    svg.raw("<g class=\"well\"><title>" + escape_xml(w.label) + "</title>");
    svg.rect(x + 0.5, y + 0.5, cell - 1, cell - 1, fill, stroke,
             std::string("stroke-width=\"") + (w.flagged ? "2.5" : "1") + "\"");
    if (values_in_wells && has) {
      svg.text(x + cell / 2, y + cell / 2 + 4, compact(*w.value), std::min(11.0, cell * 0.26), "middle",
               "fill=\"" + text_color(scale(*w.value)) + "\"");
    } else if (values_in_wells) {
      svg.text(x + cell / 2, y + cell / 2 + 4, "–", 11, "middle", "fill=\"#777\"");
    }
    svg.raw("</g>");
  }
  // Colour bar: low at the bottom, high at the top.
  const double bx = left + plate_w + bar_gap;
  const int steps = 32;
  for (int i = 0; i < steps; ++i) {
    double t0 = static_cast<double>(i) / steps;
    svg.rect(bx, top + plate_h * (1 - t0 - 1.0 / steps), bar_w, plate_h / steps + 0.5, viridis_color(t0 + 0.5 / steps));
  }
  svg.rect(bx, top, bar_w, plate_h, "none", "#666");
  if (any) {
    svg.text(bx + bar_w + 4, top + 10, compact(hi), 11, "start");
    svg.text(bx + bar_w + 4, top + plate_h, compact(lo), 11, "start");
  } else {
    svg.text(bx + bar_w + 4, top + 10, "no values", 11, "start");
  }
  if (!options.unit.empty()) svg.text(bx + bar_w + 4, top + plate_h / 2, options.unit, 11, "start", "fill=\"#444\"");
  return svg.str();
}

}  // namespace assay::protocols::figures

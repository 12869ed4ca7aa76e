// Plate heatmap: one square per well at its row and column, coloured by a value on a sequential
// colour scale (viridis) with a colour bar, row letters and column numbers; wells with no value
// are grey, flagged wells get a red outline, and every well carries a tooltip. On plates of up to
// 96 wells the value is printed in the well. Pure; safe from any thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "assay/drivers/plate_geometry.hpp"

namespace assay::protocols::figures {

struct HeatmapWell {
  drivers::WellPosition position;
  std::optional<double> value;  // none: drawn grey ("no value")
  std::string label;            // tooltip, e.g. "B3 positive_control: 1520 RFU"
  bool flagged = false;
};

struct PlateHeatmapOptions {
  int rows = 8;
  int columns = 12;
  std::string title;
  std::string unit;  // under the colour bar, e.g. "RFU"
  double cell_px = 0.0;  // 0: chosen from the plate size
};

std::string plate_heatmap_svg(const std::vector<HeatmapWell>& wells, const PlateHeatmapOptions& options);

// Viridis at t in [0, 1] as "#rrggbb" (clamped).
std::string viridis_color(double t);

}  // namespace assay::protocols::figures

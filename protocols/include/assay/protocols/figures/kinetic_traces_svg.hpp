// Kinetic traces as small multiples in plate layout: one thumbnail per well at its row and
// column, coloured by role, with the injection marked, flagged wells outlined in red and a shared
// y range so amplitudes compare across the plate. Legible from 96 to 1536 wells: thumbnails
// shrink with the plate and long traces are thinned to what a thumbnail can show.
// Pure apart from the file; safe from any thread. Throws std::runtime_error naming the file.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "assay/drivers/plate_geometry.hpp"

namespace assay::protocols::figures {

struct WellTrace {
  std::string well;  // "A1"
  drivers::WellPosition position;
  std::string role;   // "sample", "positive_control", "negative_control", "blank", ""
  std::string label;  // tooltip, e.g. "A1 balixafortide 3.2 nM: 41 % response"
  std::vector<double> time_s;
  std::vector<double> value;  // plotted as given (e.g. F/F0)
  bool flagged = false;
  // 0..1 shade for sample wells (e.g. position in the dilution series; 1 = highest conc).
  double shade = 0.5;
};

struct KineticTracesOptions {
  int rows = 8;
  int columns = 12;
  std::string title;
  std::string y_label = "F/F0";
  std::optional<double> injection_time_s;
  double cell_px = 0.0;  // 0: chosen from the plate size
  std::optional<double> y_min, y_max;  // default: shared range over all traces
};

std::string kinetic_traces_svg(const std::vector<WellTrace>& traces,
                               const KineticTracesOptions& options);
void write_kinetic_traces_svg(const std::filesystem::path& path,
                              const std::vector<WellTrace>& traces,
                              const KineticTracesOptions& options);

// Colour of a role in the trace figures (shared so legends agree).
std::string role_color(const std::string& role, double shade = 0.5);

}  // namespace assay::protocols::figures

// Dose-response figure: measured points, fitted 4PL curve, its 95 % confidence band and the
// IC50 marked, for one or more compounds (overlaid in colours, or one panel per compound).
//
// Concentrations are drawn on a log10 axis with decade ticks; points at concentration 0
// (vehicle) sit left of an axis break labelled "0". The confidence band is the asymptotic band
// of the fitted curve (delta method over the fit's free parameters, residual variance from the
// points), the band GraphPad Prism draws. Writing is pure apart from the file: safe to call from
// any thread. Throws std::runtime_error naming the file when it cannot be written.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "assay/protocols/fit/dose_response.hpp"

namespace assay::protocols::figures {

struct DoseResponseSeries {
  std::string name;                       // legend label, e.g. the compound
  std::vector<fit::DosePoint> points;     // conc in the plot's unit, response as fitted
  std::optional<fit::DoseResponseFit> fit;  // no curve when absent or not usable
  std::string color;                      // "#1f77b4"; empty picks from the palette
};

struct DoseResponsePlotOptions {
  std::string title;
  std::string x_label = "Concentration (nM)";
  std::string y_label = "Response (%)";
  bool show_ci_band = true;
  bool mark_ic50 = true;
  bool panel_per_series = false;  // false: all series overlaid, one colour each
  int panel_columns = 3;          // when panel_per_series
  double width_px = 760.0;        // whole figure (overlay) or one panel
  double height_px = 500.0;
  std::optional<double> y_min, y_max;  // default: from the data and curves, with margin
  std::string concentration_unit = "nM";
  // Dashed horizontal lines across the plot with a label, e.g. the no-chemokine level of a
  // migration assay (the floor an antagonist can reach); included in the y range.
  struct ReferenceLine {
    double value = 0.0;
    std::string label;
  };
  std::vector<ReferenceLine> reference_lines;
  // Prefix of the SVG's element ids (clip paths): distinct per figure when several figures are
  // inlined in one HTML page, whose ids are shared.
  std::string id_prefix = "plot";
};

// Returns the SVG document.
std::string dose_response_svg(const std::vector<DoseResponseSeries>& series,
                              const DoseResponsePlotOptions& options = {});
void write_dose_response_svg(const std::filesystem::path& path,
                             const std::vector<DoseResponseSeries>& series,
                             const DoseResponsePlotOptions& options = {});

// Pointwise confidence band of a fitted curve at `concs` (delta method, t quantile for the fit's
// df). Returns {low, high} per concentration; empty when the fit has no usable covariance.
struct BandPoint {
  double conc = 0.0;
  double low = 0.0;
  double high = 0.0;
};
std::vector<BandPoint> confidence_band(const std::vector<fit::DosePoint>& points,
                                       const fit::DoseResponseFit& fit,
                                       const std::vector<double>& concs, double confidence = 0.95);

}  // namespace assay::protocols::figures

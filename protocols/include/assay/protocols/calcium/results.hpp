// Turning a CalciumFluxAnalysis into stored result rows and figures.
//
// Rows: kind "well" (key: well name; F0, metric, % response, flags, the cycles it came from),
// kind "series" (key: compound; the fit as fit::to_json plus the points), kind "qc" (key
// "plate"; Z' and the control statistics). The summary is what `assayctl results` shows first.
// Pure apart from writing figure files; thread-safe.
#pragma once

#include <filesystem>
#include <span>

#include "assay/protocols/calcium/analysis.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::calcium {

// Summary and rows; figures are added by write_calcium_figures.
AssayResult to_assay_result(const CalciumFluxAnalysis& analysis, const CalciumFluxParams& params);

// Writes dose_response.svg (when there is a series) and kinetic_traces.svg under `dir`; returns
// the paths written. Throws std::runtime_error naming the file when one cannot be written.
std::vector<std::filesystem::path> write_calcium_figures(
    const CalciumFluxAnalysis& analysis, std::span<const drivers::Reading> readings,
    const PlateLayout& layout, const PlateFormat& plate, const CalciumFluxParams& params,
    const std::filesystem::path& dir);

}  // namespace assay::protocols::calcium

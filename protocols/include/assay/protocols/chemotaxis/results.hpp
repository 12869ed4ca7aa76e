// Turns a chemotaxis analysis into the stored AssayResult: summary, rows and figures.
//
// Rows: kind "well" (one per insert read or imaged, key "B3"), "field" (imaging, key "B3/f2"),
// "condition" (key "balixafortide 10 nM"), "series" (key = compound: the fit and IC50), "qc"
// (key "plate": chemotactic index, Z', blank statistics). The summary holds what a scientist
// reads first: chemotactic index, Z', IC50 with CI per compound, flags. The figure writer
// throws std::runtime_error naming the file when it cannot write it. Thread-safe.
#pragma once

#include <filesystem>
#include <optional>
#include <span>

#include "assay/protocols/chemotaxis/absorbance.hpp"
#include "assay/protocols/chemotaxis/analysis.hpp"
#include "assay/protocols/chemotaxis/field_counts.hpp"
#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/layout.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {

AssayResult chemotaxis_result(const PlateLayout& layout, const ChemotaxisParams& params,
                              const ChemotaxisAnalysis& analysis,
                              const AbsorbanceInserts* absorbance,  // absorbance readout, else null
                              std::span<const FieldCount> fields);  // imaging readout, else empty

// Migration % against antagonist concentration with the fitted curves, as an SVG file.
void write_migration_figure(const ChemotaxisAnalysis& analysis, const std::filesystem::path& svg_path);

}  // namespace assay::protocols::chemotaxis

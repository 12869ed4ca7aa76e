// Analysis of a viability endpoint plate: per-well signal, % viability against the controls,
// plate QC (Z') and a four-parameter fit per compound giving the CC50 (the concentration that
// halves viability). Pure function of the layout and the readings; thread-safe.
//
// Controls: positive_control = untreated (vehicle) cells = 100 % viability; negative_control =
// no cells or fully lysed cells = 0 %. Blank wells are reported but do not enter the scale.
#pragma once

#include <span>

#include "assay/drivers/readings.hpp"
#include "assay/protocols/layout.hpp"
#include "assay/protocols/protocol.hpp"
#include "viability_params.hpp"

namespace assay::plugins::viability {

// Throws ProtocolError("analysis_error", ...) naming the well or channel when the readings do not
// fit the layout (missing control, duplicate reading).
protocols::AssayResult analyse_viability(const protocols::PlateLayout& layout,
                                         std::span<const drivers::Reading> readings,
                                         const ViabilityParams& params);

}  // namespace assay::plugins::viability

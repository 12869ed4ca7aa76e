// Checks a transwell plate layout against the chemotaxis parameters before anything moves.
//
// Refuses, with a ProtocolError("invalid_params") that names the insert or control at fault and
// says what to add: a condition with fewer inserts than params.min_replicates (an insert with no
// replicate), no chemokine + vehicle control (positive_control), no no-chemokine control
// (negative_control, the chemotactic index's denominator), controls whose chemokine state
// contradicts their role, sample inserts without a compound, absorbance with blank subtraction
// but no blank wells, and imaging fields that fall outside the insert. Pure; thread-safe.
#pragma once

#include "assay/protocols/chemotaxis/params.hpp"
#include "assay/protocols/layout.hpp"
#include "assay/protocols/plate.hpp"

namespace assay::protocols::chemotaxis {

void validate_chemotaxis_layout(const PlateLayout& layout, const PlateFormat& format,
                                const ChemotaxisParams& params);

}  // namespace assay::protocols::chemotaxis

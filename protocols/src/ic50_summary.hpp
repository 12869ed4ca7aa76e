// The IC50 of one fitted compound as every assay's summary gives it, with the same keys whether
// it comes from calcium flux or chemotaxis: value, ci_low, ci_high, ci_method ("profile" when the
// profile-likelihood interval was found, else "asymptotic"), confidence, unit ("nM"), flags, n.
// value and the interval are null when the fit gives no IC50 (inactive, ambiguous, unusable).
#pragma once

#include <vector>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/protocols/fit/dose_response.hpp"

namespace assay::protocols {

// `extra_flags` are the assay's own flags of the series (e.g. too few replicates), added to the
// fit's.
nlohmann::json ic50_summary(const fit::DoseResponseFit* fit, const std::vector<std::string>& extra_flags = {});

}  // namespace assay::protocols

// A DoseResponseFit as JSON text, written without building the DOM: what `assayctl fit` prints
// for thousands of curves. Byte for byte the text of to_json(fit), with the labels added as
// string members, dumped with the writer's indent (a test holds the two side by side; a field
// added to to_json must be added here too).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "assay/protocols/fit/dose_response.hpp"
#include "assay/protocols/json_text.hpp"

namespace assay::protocols::fit {

// Labels: extra string members such as {"group", "cmpd-7"}; their keys must differ from the
// fit's own.
using FitLabels = std::vector<std::pair<std::string, std::string>>;

void write_json(JsonText& out, const DoseResponseFit& fit, const FitLabels& labels = {});

}  // namespace assay::protocols::fit

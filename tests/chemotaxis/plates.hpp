// Transwell-24 jobs shared by the chemotaxis tests: controls, blanks and an 8-point antagonist
// series in duplicate, as a lab would lay out one plate.
#pragma once

#include <nlohmann/json.hpp>

#include "assay/protocols/job_spec.hpp"

namespace chemotaxis_test {

// A1:A3 chemokine + vehicle, A4:A6 no chemokine, B1:B2 blanks (absorbance only),
// B3:D6 antagonist 1000 nM down by 3-fold in duplicate (adjacent wells are replicates).
inline nlohmann::json transwell_layout(bool with_blanks = true, const std::string& compound = "balixafortide") {
  auto layout = nlohmann::json::array(
      {{{"wells", "A1:A3"}, {"role", "positive_control"}},
       {{"wells", "A4:A6"}, {"role", "negative_control"}},
       {{"wells", {"B3", "B4", "B5", "B6", "C1", "C2", "C3", "C4", "C5", "C6", "D1", "D2", "D3", "D4", "D5", "D6"}},
        {"compound", compound},
        {"dilution", {{"top_nM", 1000}, {"factor", 3}, {"replicates", 2}}}}});
  if (with_blanks) layout.push_back({{"wells", "B1:B2"}, {"role", "blank"}});
  return layout;
}

inline nlohmann::json transwell_job(nlohmann::json params, nlohmann::json layout = transwell_layout(),
                                    std::string instrument = "sim-reader") {
  return {{"protocol", "chemotaxis"},
          {"instrument", std::move(instrument)},
          {"plate", {{"format", "transwell-24"}, {"barcode", "TW-1"}}},
          {"layout", std::move(layout)},
          {"params", std::move(params)}};
}

inline assay::protocols::JobSpec transwell_spec(nlohmann::json params,
                                                nlohmann::json layout = transwell_layout()) {
  return assay::protocols::JobSpec::from_json(transwell_job(std::move(params), std::move(layout)));
}

}  // namespace chemotaxis_test

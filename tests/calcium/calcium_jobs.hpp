// Calcium-flux job documents used by the tests: a 384-well plate with three antagonists in
// 10-point 3-fold dilutions (duplicates), 32 positive and 32 negative controls.
#pragma once

#include <algorithm>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::testing {

// balixafortide rows A-F (true IC50 from the instrument: 5 nM), plerixafor rows G-L (60 nM),
// motixafortide rows M-P (1 nM) via the job's simulation overrides.
inline nlohmann::json calcium_job_384(const std::string& barcode = "CA-384-1") {
  using nlohmann::json;
  json layout = json::array();
  layout.push_back({{"wells", "A1:P2"}, {"role", "positive_control"}});
  layout.push_back({{"wells", "A23:P24"}, {"role", "negative_control"}});
  const char* compounds[] = {"balixafortide", "plerixafor", "motixafortide"};
  const double tops[] = {1000.0, 10000.0, 300.0};
  for (int row = 0; row < 16; ++row) {
    std::string r(1, static_cast<char>('A' + row));
    int c = std::min(row / 6, 2);
    layout.push_back({{"wells", r + "3:" + r + "22"},
                      {"compound", compounds[c]},
                      {"dilution", {{"top_nM", tops[c]}, {"factor", 3}, {"replicates", 2}}}});
  }
  return {{"protocol", "calcium_flux"},
          {"instrument", "sim-reader"},
          {"plate", {{"format", "384"}, {"barcode", barcode}}},
          {"layout", layout},
          {"params",
           {{"interval_s", 1.0},
            {"baseline_s", 15.0},
            {"injection", {{"time_s", 15.0}, {"volume_uL", 20.0}, {"reagent", "CXCL12 100 nM"}}},
            {"duration_s", 90.0}}},
          {"simulation",
           {{"compounds",
             {{"plerixafor", {{"true_ic50_nM", 60.0}}},
              {"motixafortide", {{"true_ic50_nM", 1.0}, {"true_hill_slope", -1.2}}}}}}}};
}

}  // namespace assay::testing

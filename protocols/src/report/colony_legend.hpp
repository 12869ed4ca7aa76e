// The colours of the colony overlay (imaging::draw_colony_overlay) as the report's legend shows
// them; tests/integration/test_job_report.cpp checks them against a drawn overlay.
#pragma once

#include <string>
#include <vector>

namespace assay::protocols::report {

struct LegendEntry {
  std::string name;  // a colony class as the counter names it ("CFU-GM"), or "dish edge"
  std::string hex;   // "#rrggbb"
};

const std::vector<LegendEntry>& colony_legend();

}  // namespace assay::protocols::report

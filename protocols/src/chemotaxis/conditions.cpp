#include "assay/protocols/chemotaxis/conditions.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <cstdio>

namespace assay::protocols::chemotaxis {
namespace {

// Dilution series computed twice from the same numbers are equal; allow rounding from JSON.
bool same_conc(double a, double b) {
  return std::abs(a - b) <= 1e-9 * std::max({1.0, std::abs(a), std::abs(b)});
}

std::string condition_key(const WellAssignment& well) {
  bool is_sample = well.role == kRoleSample;
  std::string key = is_sample ? "" : well.role;
  if (!well.compound.empty()) {
    key += (key.empty() ? "" : " ") + well.compound + " " + format_conc_nM(well.conc_nM);
  } else if (is_sample) {
    key = "vehicle";
  }
  bool default_stimulated = well.role != kRoleNegativeControl && well.role != kRoleBlank;
  if (well.stimulated != default_stimulated) {
    key += well.stimulated ? " (chemokine)" : " (no chemokine)";
  }
  return key;
}

}  // namespace

std::string format_conc_nM(double conc_nM) {
  char text[32];
  // Three significant digits, never exponent notation ("1000 nM", "0.457 nM").
  if (conc_nM >= 100.0) {
    std::snprintf(text, sizeof text, "%.0f nM", conc_nM);
  } else {
    std::snprintf(text, sizeof text, "%.3g nM", conc_nM);
  }
  return text;
}

std::vector<Condition> group_conditions(const PlateLayout& layout) {
  std::vector<Condition> out;
  for (const auto& well : layout.wells()) {
    auto match = [&](const Condition& c) {
      return c.role == well.role && c.compound == well.compound && c.stimulated == well.stimulated &&
             same_conc(c.conc_nM, well.conc_nM);
    };
    auto it = std::find_if(out.begin(), out.end(), match);
    if (it == out.end()) {
      out.push_back({condition_key(well), well.role, well.compound, well.conc_nM, well.stimulated, {}});
      it = std::prev(out.end());
    }
    it->wells.push_back(well.well);
  }
  return out;
}

}  // namespace assay::protocols::chemotaxis

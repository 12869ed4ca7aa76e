// Checks of a calcium-flux job's layout against its plate and parameters, before the read.
#include <set>

#include "assay/protocols/calcium/protocol.hpp"

namespace assay::protocols::calcium {
namespace {

[[noreturn]] void fail(const std::string& what) { throw ProtocolError("invalid_params", what); }

// A fit of 4 parameters needs at least this many concentrations to say anything.
constexpr std::size_t kMinConcentrations = 4;
constexpr std::size_t kMinControlsPerGroup = 2;  // an SD for Z' needs two wells

}  // namespace

std::vector<std::string> wells_to_read(const PlateLayout& layout, const PlateFormat& plate,
                                       const CalciumFluxParams& params) {
  if (params.wells.empty()) return layout.well_names();
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (std::size_t i = 0; i < params.wells.size(); ++i) {
    auto position = drivers::parse_well(params.wells[i], plate.geometry);
    if (!position) {
      fail("params.wells[" + std::to_string(i) + "]: '" + params.wells[i] +
           "' is not a well of a " + plate.name + "-well plate (A1.." +
           drivers::well_name({plate.geometry.rows - 1, plate.geometry.columns - 1}) + ")");
    }
    auto name = drivers::well_name(*position);
    if (seen.insert(name).second) out.push_back(name);
  }
  return out;
}

void validate_calcium_layout(const PlateLayout& layout, const PlateFormat& plate,
                             const CalciumFluxParams& params) {
  if (layout.wells().empty()) fail("layout: names no wells; give samples and controls");
  // Layout wells were checked against the plate when the job was parsed; check again for
  // layouts built elsewhere (offline files).
  for (const auto& w : layout.wells()) {
    if (!drivers::parse_well(w.well, plate.geometry)) {
      fail("layout: well " + w.well + " is not a well of a " + plate.name + "-well plate");
    }
  }
  auto read = wells_to_read(layout, plate, params);
  std::set<std::string> read_set(read.begin(), read.end());
  for (const auto& w : layout.wells()) {
    if (!read_set.count(w.well)) {
      fail("params.wells: layout well " + w.well + " (" + w.role +
           ") would not be read; add it to params.wells or leave params.wells out");
    }
  }

  auto series = layout.by_compound();
  series.erase("");
  auto positives = layout.with_role(kRolePositiveControl).size();
  auto negatives = layout.with_role(kRoleNegativeControl).size();
  if (params.analysis.normalisation == Normalisation::controls) {
    std::string names;
    for (const auto& [compound, wells] : series) names += (names.empty() ? "" : ", ") + compound;
    auto what = series.empty() ? std::string("the layout") : "the series of " + names;
    if (positives < kMinControlsPerGroup) {
      fail("layout: " + what + " needs at least 2 positive_control wells (agonist + vehicle = "
           "100 % response), found " + std::to_string(positives) +
           "; add them, or set params.analysis.normalisation to \"none\"");
    }
    if (negatives < kMinControlsPerGroup) {
      fail("layout: " + what + " needs at least 2 negative_control wells (no agonist = 0 % "
           "response), found " + std::to_string(negatives) +
           "; add them, or set params.analysis.normalisation to \"none\"");
    }
  }
  for (const auto& [compound, wells] : series) {
    std::set<double> concs;
    for (const auto* w : wells) {
      if (w->conc_nM > 0) concs.insert(w->conc_nM);
    }
    if (concs.size() < kMinConcentrations) {
      fail("layout: compound '" + compound + "' has " + std::to_string(concs.size()) +
           " concentration(s) above 0; a dose-response fit needs at least 4 (e.g. a dilution "
           "series)");
    }
  }
  if (series.empty() && positives == 0 && negatives == 0) {
    fail("layout: no compound series and no controls; there is nothing to analyse");
  }
}

drivers::KineticFluorescencePlan kinetic_plan(const CalciumFluxParams& params,
                                              std::vector<std::string> wells) {
  drivers::KineticFluorescencePlan plan;
  plan.wells = std::move(wells);
  plan.excitation_nm = params.excitation_nm;
  plan.emission_nm = params.emission_nm;
  plan.interval_s = params.interval_s;
  plan.duration_s = params.duration_s;
  plan.injection = drivers::Injection{params.injection.time_s, params.injection.volume_uL,
                                      params.injection.reagent};
  plan.temperature_C = params.temperature_C;
  plan.flashes = params.flashes;
  return plan;
}

}  // namespace assay::protocols::calcium

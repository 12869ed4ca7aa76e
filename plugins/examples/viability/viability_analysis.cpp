#include "viability_analysis.hpp"

#include <cmath>
#include <map>

#include "assay/protocols/fit/dose_response.hpp"
#include "assay/protocols/fit/plate_qc.hpp"

namespace assay::plugins::viability {
namespace {

using protocols::ProtocolError;

[[noreturn]] void fail(const std::string& message) { throw ProtocolError("analysis_error", message); }

// Signal per well: the signal channel, minus the reference wavelength for absorbance.
std::map<std::string, double> well_signals(std::span<const drivers::Reading> readings,
                                           const ViabilityParams& params,
                                           std::vector<std::string>& saturated) {
  const std::string signal = params.signal_channel();
  const std::string reference =
      params.readout == Readout::absorbance && params.reference_nm
          ? "abs" + std::to_string(*params.reference_nm)
          : std::string();
  std::map<std::string, double> signal_by_well, reference_by_well;
  for (const auto& r : readings) {
    if (r.cycle != 0) continue;
    auto* target = r.channel == signal                          ? &signal_by_well
                   : (!reference.empty() && r.channel == reference) ? &reference_by_well
                                                                   : nullptr;
    if (target == nullptr) continue;
    if (!target->emplace(r.well, r.value).second) {
      fail("well " + r.well + " was read twice on channel " + r.channel);
    }
    if (r.saturated) saturated.push_back(r.well);
  }
  if (signal_by_well.empty()) fail("no endpoint reading on channel " + signal);
  if (!reference.empty()) {
    for (auto& [well, value] : signal_by_well) {
      auto it = reference_by_well.find(well);
      if (it == reference_by_well.end()) {
        fail("well " + well + " has no reading at the reference wavelength (" + reference + ")");
      }
      value -= it->second;
    }
  }
  return signal_by_well;
}

}  // namespace

protocols::AssayResult analyse_viability(const protocols::PlateLayout& layout,
                                         std::span<const drivers::Reading> readings,
                                         const ViabilityParams& params) {
  std::vector<std::string> saturated;
  auto signals = well_signals(readings, params, saturated);
  auto value_of = [&](const protocols::WellAssignment& well) {
    auto it = signals.find(well.well);
    if (it == signals.end()) fail("well " + well.well + " (" + well.role + ") was not read");
    return it->second;
  };

  std::vector<double> untreated, dead;
  for (const auto* w : layout.with_role(protocols::kRolePositiveControl)) untreated.push_back(value_of(*w));
  for (const auto* w : layout.with_role(protocols::kRoleNegativeControl)) dead.push_back(value_of(*w));
  if (untreated.empty() || dead.empty()) {
    fail("viability needs positive_control wells (untreated cells, 100 %) and negative_control "
         "wells (no cells or lysed, 0 %) in the layout");
  }
  auto qc = protocols::fit::plate_qc(untreated, dead, params.z_prime_threshold);
  double span = qc.positive.mean - qc.negative.mean;
  if (!(std::abs(span) > 0.0)) fail("untreated and dead controls give the same signal; no scale");

  protocols::AssayResult result;
  nlohmann::json series = nlohmann::json::object();
  for (const auto& well : layout.wells()) {
    auto it = signals.find(well.well);
    if (it == signals.end()) continue;
    double viability = 100.0 * (it->second - qc.negative.mean) / span;
    result.rows.push_back({"well", well.well,
                           {{"role", well.role}, {"compound", well.compound},
                            {"conc_nM", well.conc_nM}, {"signal", it->second},
                            {"viability_percent", viability}}});
  }
  for (const auto& [compound, wells] : layout.by_compound()) {
    if (compound.empty()) continue;
    std::vector<protocols::fit::DosePoint> points;
    for (const auto* w : wells) {
      points.push_back({w->conc_nM, 100.0 * (value_of(*w) - qc.negative.mean) / span, 1.0});
    }
    auto fit = protocols::fit::fit_dose_response(points);
    nlohmann::json entry = {{"fit", protocols::fit::to_json(fit)}, {"n_wells", points.size()}};
    entry["cc50_nM"] = fit.usable() ? nlohmann::json(fit.ic50) : nlohmann::json(nullptr);
    entry["usable"] = fit.usable();
    result.rows.push_back({"series", compound, entry});
    series[compound] = {{"cc50_nM", entry["cc50_nM"]}, {"flags", fit.flags}};
  }
  result.rows.push_back({"qc", "plate", protocols::fit::to_json(qc)});
  result.summary = {{"readout", params.to_json()},
                    {"channel", params.signal_channel()},
                    {"z_prime", qc.z_prime},
                    {"qc_pass", qc.pass},
                    {"compounds", series},
                    {"saturated_wells", saturated}};
  return result;
}

}  // namespace assay::plugins::viability

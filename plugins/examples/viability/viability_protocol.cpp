#include "viability_protocol.hpp"

#include <map>
#include <stdexcept>

#include "assay/protocols/driver_callbacks.hpp"
#include "viability_analysis.hpp"

namespace assay::plugins::viability {

using protocols::ProtocolError;

std::string ViabilityProtocol::description() const {
  return "Cell viability endpoint (resazurin fluorescence or MTT absorbance): % viability "
         "against untreated and dead controls, Z', and CC50 per compound";
}

void ViabilityProtocol::validate(const protocols::JobSpec& job) const {
  try {
    (void)ViabilityParams::from_json(job.params);
  } catch (const std::invalid_argument& e) {
    throw ProtocolError("invalid_params", e.what());
  }
  if (job.layout.with_role(protocols::kRolePositiveControl).empty()) {
    throw ProtocolError("invalid_params",
                        "layout: viability_endpoint needs positive_control wells (untreated "
                        "cells, 100 % viability)");
  }
  if (job.layout.with_role(protocols::kRoleNegativeControl).empty()) {
    throw ProtocolError("invalid_params",
                        "layout: viability_endpoint needs negative_control wells (no cells or "
                        "lysed cells, 0 % viability)");
  }
}

protocols::AssayResult ViabilityProtocol::run(const protocols::JobSpec& job,
                                              protocols::RunContext& ctx) const {
  auto params = ViabilityParams::from_json(job.params);
  auto* reader = &ctx.require_instrument<drivers::PlateReader>();
  // An interrupted job resumes with what it stored: one reading per well and channel is kept
  // (the latest), and only wells missing a planned channel are read again.
  std::vector<std::string> channels{params.signal_channel()};
  if (params.readout == Readout::absorbance && params.reference_nm) {
    channels.push_back("abs" + std::to_string(*params.reference_nm));
  }
  std::map<std::pair<std::string, std::string>, drivers::Reading> latest;
  for (auto& r : ctx.earlier_readings()) latest[{r.well, r.channel}] = r;
  // Storing and reporting may throw; the bridge keeps that from unwinding through the driver.
  protocols::DriverCallbacks callbacks(ctx.stop());
  auto sink = callbacks.sink([&](std::span<const drivers::Reading> page) {
    ctx.store_readings(page);
    for (const auto& r : page) latest[{r.well, r.channel}] = r;
  });
  auto progress = callbacks.progress([&](double fraction, const std::string& message) {
    ctx.progress(0.9 * fraction, message);
  });
  auto missing_wells = [&] {
    std::vector<std::string> wells;
    for (const auto& well : job.layout.well_names()) {
      for (const auto& channel : channels) {
        if (!latest.count({well, channel})) {
          wells.push_back(well);
          break;
        }
      }
    }
    return wells;
  };
  auto wells = missing_wells();
  if (wells.size() < job.layout.well_names().size()) {
    ctx.log_info("using readings stored before the restart; reading " + std::to_string(wells.size()) +
                 " wells again");
  }
  if (!wells.empty()) {
    if (params.readout == Readout::fluorescence) {
      drivers::FluorescenceEndpointPlan plan{wells, params.excitation_nm, params.emission_nm,
                                             params.gain, params.flashes};
      callbacks.check(reader->read_fluorescence(plan, sink, progress, callbacks.stop()),
                      "the resazurin fluorescence read");
    } else {
      drivers::AbsorbancePlan plan{wells, {params.wavelength_nm}, params.flashes};
      if (params.reference_nm) plan.wavelengths_nm.push_back(*params.reference_nm);
      callbacks.check(reader->read_absorbance(plan, sink, progress, callbacks.stop()),
                      "the MTT absorbance read");
    }
  }
  if (auto still = missing_wells(); !still.empty()) {
    throw ProtocolError("incomplete_read", "viability_endpoint: no complete reading for " +
                                               std::to_string(still.size()) + " wells, first " + still.front());
  }
  std::vector<drivers::Reading> readings;
  for (auto& [key, r] : latest) readings.push_back(std::move(r));
  ctx.progress(0.95, "fitting CC50 per compound");
  auto result = analyse_viability(job.layout, readings, params);
  ctx.progress(1.0, "done");
  return result;
}

}  // namespace assay::plugins::viability

#include <exception>
#include <set>

#include "acquire.hpp"
#include "assay/protocols/chemotaxis/absorbance.hpp"
#include "assay/protocols/driver_callbacks.hpp"
#include "assay/protocols/reading_coverage.hpp"

namespace assay::protocols::chemotaxis {

std::vector<drivers::Reading> acquire_absorbance(const JobSpec& job, const ChemotaxisParams& params,
                                                 drivers::PlateReader& reader, RunContext& ctx) {
  auto channel = absorbance_channel(params.absorbance.wavelength_nm);
  std::vector<drivers::Reading> readings;
  std::set<std::string> done;
  for (const auto& reading : ctx.earlier_readings()) {
    if (reading.channel == channel && reading.cycle == 0 && job.layout.find(reading.well) &&
        done.insert(reading.well).second) {
      readings.push_back(reading);
    }
  }
  drivers::AbsorbancePlan plan;
  plan.wavelengths_nm = {params.absorbance.wavelength_nm};
  plan.flashes = params.absorbance.flashes;
  for (const auto& well : job.layout.well_names()) {
    if (!done.count(well)) plan.wells.push_back(well);
  }
  if (plan.wells.empty()) {
    require_complete(endpoint_plan(job.layout.well_names(), {channel}), readings, "absorbance read at " + channel);
    ctx.log_info("every well was read at " + channel + " by an earlier attempt; not reading again");
    return readings;
  }
  if (!done.empty()) {
    ctx.log_info("reading " + std::to_string(plan.wells.size()) + " wells not read by an earlier attempt");
  }

  DriverCallbacks callbacks(ctx.stop());
  auto sink = callbacks.sink([&](std::span<const drivers::Reading> page) {
    ctx.store_readings(page);
    readings.insert(readings.end(), page.begin(), page.end());
  });
  auto progress = callbacks.progress(
      [&](double fraction, const std::string& message) { ctx.progress(0.9 * fraction, message); });
  auto status = reader.read_absorbance(plan, sink, progress, callbacks.stop());
  callbacks.check(status, "absorbance read at " + channel + " on " + reader.name());
  require_complete(endpoint_plan(job.layout.well_names(), {channel}), readings, "absorbance read at " + channel);
  return readings;
}

}  // namespace assay::protocols::chemotaxis

// SimPlateReader endpoint reads: absorbance (per wavelength), absorbance spectra (per well) and
// fluorescence intensity.
#include <cmath>

#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "sim_plate_reader_model.hpp"

namespace assay::drivers::sim {
namespace {

// Absorbance reads are slower per well than a fluorescence flash.
constexpr double kAbsorbanceReadFactor = 20.0;
constexpr double kOdNoiseFloor = 0.002;

Reading absorbance_reading(const SimPlateReaderSettings& s, const WellModel& model,
                           const std::string& well, int wavelength_nm, double t,
                           std::mt19937_64& rng) {
  std::normal_distribution<double> normal(0.0, 1.0);
  double od = s.blank_od +
              s.od_per_cell * model.migrated_cells * absorbance_band(s, wavelength_nm);
  // Two draws, two statements: the operands of + may be evaluated in either order.
  const double proportional_noise = normal(rng);
  const double floor_noise = normal(rng);
  od += od * s.od_noise_percent / 100.0 * proportional_noise + kOdNoiseFloor * floor_noise;
  Reading r{well, "abs" + std::to_string(wavelength_nm), 0, t, std::max(0.0, od), false};
  if (r.value >= s.od_saturation) {
    r.value = s.od_saturation;
    r.saturated = true;
  }
  return r;
}

}  // namespace

Status SimPlateReader::read_absorbance(const AbsorbancePlan& plan, const ReadingSink& sink,
                                       const ProgressSink& progress, std::stop_token stop) {
  if (auto status = check_ready(); !status) return status;
  if (plan.wavelengths_nm.empty()) {
    return {StatusCode::invalid_argument, name_ + ": give at least one absorbance wavelength"};
  }
  for (int wl : plan.wavelengths_nm) {
    if (wl < 220 || wl > 1000) {
      return {StatusCode::invalid_argument,
              name_ + ": absorbance wavelength " + std::to_string(wl) + " nm is outside 220-1000 nm"};
    }
  }
  auto [plate, truth, seed] = snapshot();
  auto planned = plan_wells(plate, plan.wells);
  if (!planned) return planned.status();
  const auto& wells = planned.value();
  ReadScope scope(*this);

  long delivered = 0;
  double t = 0.0;
  std::vector<Reading> page;
  for (std::size_t k = 0; k < plan.wavelengths_nm.size(); ++k) {
    page.clear();
    for (const auto& w : wells) {
      auto rng = well_rng(seed, plate.barcode, w.index, 0);
      auto model = model_well(settings_, truth, w.contents, plate.simulation, rng);
      auto noise = well_rng(seed, plate.barcode, w.index, 10 + k);
      t += settings_.per_well_read_s * kAbsorbanceReadFactor;
      page.push_back(absorbance_reading(settings_, model, w.contents.well, plan.wavelengths_nm[k],
                                        t, noise));
    }
    (void)wait_device_time(settings_.per_well_read_s * kAbsorbanceReadFactor * wells.size() +
                               settings_.min_cycle_s, {});
    if (auto status = deliver(page, sink, delivered); !status) return status;
    if (progress) {
      progress(static_cast<double>(k + 1) / plan.wavelengths_nm.size(),
               "absorbance at " + std::to_string(plan.wavelengths_nm[k]) + " nm");
    }
    if (stop.stop_requested()) {
      return {StatusCode::cancelled, name_ + ": absorbance read stopped"};
    }
  }
  return Status::ok();
}

Status SimPlateReader::read_absorbance_spectrum(const AbsorbanceSpectrumPlan& plan,
                                                const ReadingSink& sink,
                                                const ProgressSink& progress,
                                                std::stop_token stop) {
  if (auto status = check_ready(); !status) return status;
  if (plan.start_nm < 220 || plan.end_nm > 1000 || plan.end_nm < plan.start_nm || plan.step_nm < 1) {
    return {StatusCode::invalid_argument,
            name_ + ": spectrum " + std::to_string(plan.start_nm) + "-" +
                std::to_string(plan.end_nm) + " nm step " + std::to_string(plan.step_nm) +
                " is not within 220-1000 nm with a step >= 1 nm"};
  }
  auto [plate, truth, seed] = snapshot();
  auto planned = plan_wells(plate, plan.wells);
  if (!planned) return planned.status();
  const auto& wells = planned.value();
  ReadScope scope(*this);

  long delivered = 0;
  std::vector<Reading> page;
  for (std::size_t i = 0; i < wells.size(); ++i) {
    const auto& w = wells[i];
    auto rng = well_rng(seed, plate.barcode, w.index, 0);
    auto model = model_well(settings_, truth, w.contents, plate.simulation, rng);
    auto noise = well_rng(seed, plate.barcode, w.index, 2);
    page.clear();
    for (int wl = plan.start_nm; wl <= plan.end_nm; wl += plan.step_nm) {
      page.push_back(absorbance_reading(settings_, model, w.contents.well, wl, 0.0, noise));
    }
    // A spectrometer reads a whole spectrum per flash series.
    (void)wait_device_time(settings_.per_well_read_s * kAbsorbanceReadFactor * plan.flashes, {});
    if (auto status = deliver(page, sink, delivered); !status) return status;
    if (progress) progress(static_cast<double>(i + 1) / wells.size(), "spectrum of " + w.contents.well);
    if (stop.stop_requested()) return {StatusCode::cancelled, name_ + ": spectrum read stopped"};
  }
  return Status::ok();
}

Status SimPlateReader::read_fluorescence(const FluorescenceEndpointPlan& plan,
                                         const ReadingSink& sink, const ProgressSink& progress,
                                         std::stop_token stop) {
  if (auto status = check_ready(); !status) return status;
  if (plan.excitation_nm < 320 || plan.emission_nm <= plan.excitation_nm || plan.emission_nm > 900) {
    return {StatusCode::invalid_argument,
            name_ + ": excitation " + std::to_string(plan.excitation_nm) + " nm / emission " +
                std::to_string(plan.emission_nm) + " nm is outside the filters"};
  }
  if (plan.gain < 1 || plan.gain > 4095) {
    return {StatusCode::invalid_argument, name_ + ": gain must be in 1-4095"};
  }
  auto [plate, truth, seed] = snapshot();
  auto planned = plan_wells(plate, plan.wells);
  if (!planned) return planned.status();
  const auto& wells = planned.value();
  ReadScope scope(*this);

  std::normal_distribution<double> normal(0.0, 1.0);
  std::vector<Reading> page;
  const std::string channel =
      "fl" + std::to_string(plan.excitation_nm) + "-" + std::to_string(plan.emission_nm);
  for (std::size_t i = 0; i < wells.size(); ++i) {
    const auto& w = wells[i];
    auto rng = well_rng(seed, plate.barcode, w.index, 0);
    auto model = model_well(settings_, truth, w.contents, plate.simulation, rng);
    auto noise = well_rng(seed, plate.barcode, w.index, 3);
    double value = model.f0_rfu * plan.gain / 1000.0 *
                   (1.0 + settings_.noise_percent / 100.0 * normal(noise));
    Reading r{w.contents.well, channel, 0, settings_.per_well_read_s * i, std::max(0.0, value), false};
    if (r.value >= settings_.saturation_rfu) {
      r.value = settings_.saturation_rfu;
      r.saturated = true;
    }
    page.push_back(std::move(r));
  }
  (void)wait_device_time(settings_.per_well_read_s * wells.size() + settings_.min_cycle_s, {});
  long delivered = 0;
  if (auto status = deliver(page, sink, delivered); !status) return status;
  if (progress) progress(1.0, "fluorescence endpoint read");
  if (stop.stop_requested()) return {StatusCode::cancelled, name_ + ": fluorescence read stopped"};
  return Status::ok();
}

}  // namespace assay::drivers::sim

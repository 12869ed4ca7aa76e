// SimPlateReader::read_kinetic_fluorescence: a kinetic read with injection (or after a manual
// addition), cycle by cycle.
#include <cmath>

#include "assay/drivers/sim/sim_plate_reader.hpp"
#include "sim_plate_reader_model.hpp"

namespace assay::drivers::sim {
namespace {

std::string fmt(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", value);
  return buffer;
}

Status check_plan(const KineticFluorescencePlan& plan, double min_interval_s,
                  const std::string& device) {
  auto bad = [&](const std::string& what) {
    return Status{StatusCode::invalid_argument, device + ": " + what};
  };
  if (!(plan.duration_s > 0)) return bad("kinetic duration_s must be > 0");
  if (!(plan.interval_s >= min_interval_s)) {
    return bad("interval_s " + fmt(plan.interval_s) + " s is below this reader's minimum of " +
               fmt(min_interval_s) + " s for " + "this many wells; read fewer wells or slow down");
  }
  if (plan.excitation_nm < 320 || plan.excitation_nm > 850 || plan.emission_nm <= plan.excitation_nm ||
      plan.emission_nm > 900) {
    return bad("excitation " + std::to_string(plan.excitation_nm) + " nm / emission " +
               std::to_string(plan.emission_nm) +
               " nm is outside the filters (320-850 nm excitation, emission above it, <= 900 nm)");
  }
  if (plan.added_before_s && (*plan.added_before_s < 0 || plan.injection)) {
    return bad("a manual addition must lie before the read (added_before_s >= 0) and excludes an injection");
  }
  if (plan.injection) {
    if (plan.injection->time_s < 0 || plan.injection->time_s >= plan.duration_s) {
      return bad("injection at " + fmt(plan.injection->time_s) + " s is outside the read (0-" +
                 fmt(plan.duration_s) + " s)");
    }
    if (!(plan.injection->volume_uL > 0) || plan.injection->volume_uL > 200) {
      return bad("injection volume must be in (0, 200] uL");
    }
  }
  if (plan.temperature_C && (*plan.temperature_C < 20 || *plan.temperature_C > 45)) {
    return bad("temperature " + fmt(*plan.temperature_C) + " C is outside 20-45 C");
  }
  return Status::ok();
}

}  // namespace

Status SimPlateReader::read_kinetic_fluorescence(const KineticFluorescencePlan& plan,
                                                 const ReadingSink& sink,
                                                 const ProgressSink& progress,
                                                 std::stop_token stop) {
  if (auto status = check_ready(); !status) return status;
  auto [plate, truth, seed] = snapshot();
  auto planned = plan_wells(plate, plan.wells);
  if (!planned) return planned.status();
  const auto& wells = planned.value();
  const double min_interval = min_kinetic_interval_s(static_cast<int>(wells.size()));
  if (auto status = check_plan(plan, min_interval, name_); !status) return status;
  if (plan.injection && !settings_.injector) {
    return {StatusCode::unsupported,
            name_ + " has no injector (setting injector = false): add the agonist by hand "
                    "(calcium_flux params.addition.mode \"manual\")"};
  }
  if (plan.temperature_C) {
    std::lock_guard lock(mutex_);
    target_temperature_C_ = plan.temperature_C;
  }
  ReadScope scope(*this);

  std::vector<WellModel> models;
  std::vector<std::mt19937_64> noise_rngs;
  models.reserve(wells.size());
  for (const auto& w : wells) {
    auto rng = well_rng(seed, plate.barcode, w.index, 0);
    models.push_back(model_well(settings_, truth, w.contents, plate.simulation, rng));
    noise_rngs.push_back(well_rng(seed, plate.barcode, w.index, 1));
  }
  // model_well keeps a pointer to the contents it modelled: `wells` outlives `models`.

  const std::string channel =
      "fl" + std::to_string(plan.excitation_nm) + "-" + std::to_string(plan.emission_nm);
  // When the agonist reaches the cells on the read's clock: the injector's time, or before the
  // start for a manual addition. Only the injector interrupts the read to dispense.
  std::optional<double> injection_s;
  if (plan.injection) injection_s = plan.injection->time_s;
  std::optional<double> agonist_s = injection_s;
  if (plan.added_before_s) agonist_s = -*plan.added_before_s;
  const double dispense_s =
      plan.injection ? plan.injection->volume_uL / settings_.dispense_rate_uL_per_s : 0.0;
  const double fast_interval =
      std::max(min_interval, plan.interval_s * settings_.fast_interval_factor);
  std::normal_distribution<double> normal(0.0, 1.0);
  std::uniform_real_distribution<double> jitter(0.0, 0.25);

  std::vector<Reading> page;
  page.reserve(wells.size());
  long delivered = 0;
  double device_now = 0.0;  // device seconds since the read started
  double cycle_start = 0.0;
  bool injected = false;
  for (int cycle = 0; cycle_start < plan.duration_s; ++cycle) {
    page.clear();
    for (std::size_t i = 0; i < wells.size(); ++i) {
      if (models[i].dropped_cycles.count(cycle)) continue;
      double t = cycle_start + settings_.per_well_read_s * (static_cast<double>(i) + jitter(noise_rngs[i]));
      double signal = kinetic_signal(settings_, models[i], t, agonist_s);
      double value = signal * (1.0 + settings_.noise_percent / 100.0 * normal(noise_rngs[i]));
      Reading r{wells[i].contents.well, channel, cycle, t, std::max(0.0, value), false};
      if (r.value >= settings_.saturation_rfu) {
        r.value = settings_.saturation_rfu;
        r.saturated = true;
      }
      page.push_back(std::move(r));
    }
    double cycle_end = cycle_start + settings_.per_well_read_s * static_cast<double>(wells.size());
    (void)wait_device_time(cycle_end - device_now, {});  // a started cycle always completes
    device_now = std::max(device_now, cycle_end);
    if (auto status = deliver(page, sink, delivered); !status) return status;
    if (progress) {
      progress(std::min(1.0, cycle_end / plan.duration_s),
               "cycle " + std::to_string(cycle + 1) + " at " + fmt(cycle_start) + " s");
    }
    if (stop.stop_requested()) {
      return {StatusCode::cancelled, name_ + ": kinetic read stopped after cycle " +
                                         std::to_string(cycle + 1)};
    }

    bool fast = agonist_s && cycle_start >= *agonist_s &&
                cycle_start < *agonist_s + settings_.fast_window_s;
    double next = cycle_start + (fast ? fast_interval : plan.interval_s);
    if (injection_s && !injected && next > *injection_s) {
      // The injector dispenses at its time; reading resumes when it is done and then runs fast.
      injected = true;
      next = std::max(*injection_s + dispense_s, cycle_end);
    }
    if (!wait_device_time(next - device_now, stop)) {
      return {StatusCode::cancelled,
              name_ + ": kinetic read stopped after cycle " + std::to_string(cycle + 1)};
    }
    device_now = std::max(device_now, next);
    cycle_start = next;
  }
  if (progress) progress(1.0, "kinetic read done");
  return Status::ok();
}

}  // namespace assay::drivers::sim

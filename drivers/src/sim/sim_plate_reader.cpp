// SimPlateReader: lifecycle, state, plate loading, truth and the shared read helpers.
#include "assay/drivers/sim/sim_plate_reader.hpp"

#include <algorithm>
#include <chrono>
#include <thread>

#include "device_time.hpp"
#include "run_seed.hpp"
#include "sim_plate_reader_model.hpp"

namespace assay::drivers::sim {

SimPlateReader::SimPlateReader(std::string name, SimPlateReaderSettings settings, Clock& clock)
    : name_(std::move(name)), settings_(std::move(settings)), clock_(clock), truth_(settings_.truth_defaults) {}

nlohmann::json SimPlateReader::describe() const {
  nlohmann::json capabilities{"absorbance", "absorbance_spectrum", "fluorescence", "kinetic_fluorescence",
                              "temperature"};
  if (settings_.injector) capabilities.push_back("injector");
  return {{"model", "Simulated plate reader"},
          {"driver", "sim-plate-reader"},
          {"serial", "SIM-" + (settings_.seed ? std::to_string(*settings_.seed) : std::string("0"))},
          {"capabilities", capabilities},
          {"time_scale", settings_.time_scale},
          {"settings", settings_.raw}};
}

Status SimPlateReader::connect() {
  set_state(InstrumentState::online, "connected");
  return Status::ok();
}

void SimPlateReader::disconnect() { set_state(InstrumentState::offline, "disconnected"); }

Status SimPlateReader::load_plate(const LoadedPlate& plate) {
  if (state() == InstrumentState::offline) {
    return {StatusCode::disconnected, name_ + " is not connected; connect() first"};
  }
  if (Status s = check_layout_wells(plate); !s) return s;
  std::lock_guard lock(mutex_);
  plate_ = plate;
  truth_ = pharmacology_truth(settings_.raw, plate.simulation);
  run_seed_ = run_seed(plate.simulation, settings_.seed);
  return Status::ok();
}

nlohmann::json SimPlateReader::truth() const {
  std::lock_guard lock(mutex_);
  nlohmann::json out{{"instrument", name_}, {"pharmacology", truth_.to_json()}};
  if (!plate_) return out;
  out["seed"] = run_seed_;
  out["plate"] = {{"barcode", plate_->barcode}, {"format", plate_->format}};
  nlohmann::json wells = nlohmann::json::object();
  for (std::size_t i = 0; i < plate_->wells.size(); ++i) {
    auto rng = well_rng(run_seed_, plate_->barcode, i, 0);
    auto model = model_well(settings_, truth_, plate_->wells[i], plate_->simulation, rng);
    wells[plate_->wells[i].well] = well_truth(settings_, model);
  }
  out["wells"] = std::move(wells);
  return out;
}

Status SimPlateReader::check_ready() const {
  if (state() == InstrumentState::offline) {
    return {StatusCode::disconnected, name_ + " is not connected"};
  }
  if (state() == InstrumentState::error) {
    return {StatusCode::device_error, name_ + " is in an error state; reconnect it"};
  }
  std::lock_guard lock(mutex_);
  if (!plate_) return {StatusCode::invalid_argument, name_ + ": load a plate before reading"};
  return Status::ok();
}

Result<std::vector<SimPlateReader::PlannedWell>> SimPlateReader::plan_wells(
    const LoadedPlate& plate, const std::vector<std::string>& wells) {
  std::vector<PlannedWell> out;
  if (wells.empty()) {
    for (std::size_t i = 0; i < plate.wells.size(); ++i) out.push_back({i, plate.wells[i]});
    return out;
  }
  out.reserve(wells.size());
  for (const auto& name : wells) {
    auto position = parse_well(name, plate.geometry);
    if (!position) {
      return Status{StatusCode::invalid_argument,
                    "well '" + name + "' is not on the loaded " + plate.format + " plate"};
    }
    auto canonical = well_name(*position);
    auto it = std::find_if(plate.wells.begin(), plate.wells.end(),
                           [&](const WellContents& w) { return w.well == canonical; });
    if (it == plate.wells.end()) {
      auto index = plate.wells.size() +
                   static_cast<std::size_t>(position->row * plate.geometry.columns + position->column);
      out.push_back({index, WellContents{canonical, "blank", "", 0.0, false, 0.0}});
    } else {
      out.push_back({static_cast<std::size_t>(it - plate.wells.begin()), *it});
    }
  }
  return out;
}

SimPlateReader::Snapshot SimPlateReader::snapshot() const {
  std::lock_guard lock(mutex_);
  return {*plate_, truth_, run_seed_};
}

bool SimPlateReader::wait_device_time(double seconds, std::stop_token stop) const {
  return sim::wait_device_time(clock_, seconds, settings_.time_scale, stop);
}

Status SimPlateReader::deliver(std::span<const Reading> page, const ReadingSink& sink,
                               long& delivered) {
  std::span<const Reading> part = page;
  bool fail = false;
  if (settings_.fail_after_readings >= 0 &&
      delivered + static_cast<long>(page.size()) > settings_.fail_after_readings) {
    part = page.first(static_cast<std::size_t>(std::max(0L, settings_.fail_after_readings - delivered)));
    fail = true;
  }
  if (!part.empty()) {
    if (auto status = sink(part); !status) return status;
    delivered += static_cast<long>(part.size());
  }
  if (fail && settings_.fail_mode == "hang") {
    // A device call that never returns and ignores stop, as a USB transfer without a timeout
    // would: what assayd's step deadlines and bounded shutdown are tested against.
    clock_.sleep_for(std::chrono::hours(1));
  }
  if (fail) {
    set_state(
        settings_.fail_mode == "disconnected" ? InstrumentState::offline : InstrumentState::error,
        "simulated failure");
    auto code = settings_.fail_mode == "disconnected" ? StatusCode::disconnected
                                                      : StatusCode::device_error;
    return {code, name_ + ": simulated failure after " + std::to_string(delivered) +
                      " readings (setting fail_after_readings)"};
  }
  return Status::ok();
}

Result<double> SimPlateReader::temperature_C() {
  std::lock_guard lock(mutex_);
  return target_temperature_C_.value_or(settings_.ambient_temperature_C);
}

double SimPlateReader::min_kinetic_interval_s(int well_count) const {
  return settings_.min_cycle_s + settings_.per_well_read_s * std::max(0, well_count);
}

}  // namespace assay::drivers::sim

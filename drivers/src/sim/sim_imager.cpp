// SimImager: lifecycle, state, plate loading, truth, capture and autofocus.
#include "assay/drivers/sim/sim_imager.hpp"

#include <chrono>
#include <cmath>
#include <thread>

#include "assay/drivers/autofocus.hpp"
#include "assay/drivers/sim/cell_scene.hpp"
#include "device_time.hpp"
#include "run_seed.hpp"

namespace assay::drivers::sim {

SimImager::SimImager(std::string name, SimImagerSettings settings, Clock& clock)
    : name_(std::move(name)), settings_(std::move(settings)), clock_(clock), pharmacology_(settings_.truth_defaults) {}

nlohmann::json SimImager::describe() const {
  return {{"model", "Simulated imager"},
          {"driver", "sim-imager"},
          {"serial", "SIMCAM-" + (settings_.seed ? std::to_string(*settings_.seed) : std::string("0"))},
          {"capabilities", {"capture", "autofocus", "colonies", "stained_cells"}},
          {"frame_px", {settings_.frame_width_px, settings_.frame_height_px}},
          {"time_scale", settings_.time_scale},
          {"settings", settings_.raw}};
}

Status SimImager::connect() {
  set_state(InstrumentState::online, "connected");
  return Status::ok();
}

void SimImager::disconnect() { set_state(InstrumentState::offline, "disconnected"); }

void SimImager::release_plate_cache() { std::map<std::string, cv::Mat>().swap(dishes_); }

Status SimImager::load_plate(const LoadedPlate& plate) {
  if (state() == InstrumentState::offline)
    return {StatusCode::disconnected, name_ + " is not connected; connect() first"};
  if (Status s = check_layout_wells(plate); !s) return s;
  const nlohmann::json& sim = plate.simulation;
  if (sim.contains("colonies_per_well") && !sim.at("colonies_per_well").is_number() &&
      !sim.at("colonies_per_well").is_object())
    return {StatusCode::invalid_argument,
            "simulation.colonies_per_well must be a number or an object of counts by well"};
  std::lock_guard lock(mutex_);
  plate_ = plate;
  pharmacology_ = pharmacology_truth(settings_.raw, sim);
  run_seed_ = run_seed(sim, settings_.seed);
  dishes_.clear();
  z_um_ = 0.0;
  truth_json_ = {{"plate", plate.barcode}, {"format", plate.format},
                 {"kind", colony_plate() ? "colonies" : "stained_cells"},
                 {"migration", pharmacology_.to_json()}, {"seed", run_seed_}};
  if (colony_plate()) {
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& well : plate.wells) counts[well.well] = colonies_in(well.well);
    truth_json_["colonies_per_well"] = counts;
  } else {
    truth_json_["cells_per_field"] = nlohmann::json::object();
    nlohmann::json expected = nlohmann::json::object();
    for (const auto& well : plate.wells) expected[well.well] = expected_cells(well);
    truth_json_["expected_cells_per_field"] = expected;
  }
  return Status::ok();
}

nlohmann::json SimImager::truth() const {
  std::lock_guard lock(mutex_);
  return truth_json_;
}

bool SimImager::colony_plate() const { return plate_ && plate_->format.rfind("dish", 0) == 0; }

const WellContents* SimImager::contents_of(const std::string& well) const {
  if (!plate_) return nullptr;
  for (const auto& w : plate_->wells)
    if (w.well == well) return &w;
  return nullptr;
}

cv::Size2d SimImager::field_of_view_mm() const {
  const double px = pixel_size_um();
  return {settings_.frame_width_px * px / 1000.0, settings_.frame_height_px * px / 1000.0};
}

double SimImager::pixel_size_um() const {
  std::lock_guard lock(mutex_);
  return colony_plate() ? settings_.colony_pixel_size_um : settings_.pixel_size_um;
}

bool SimImager::wait_ms(double ms, std::stop_token stop) const {
  return wait_device_time(clock_, ms / 1000.0, settings_.time_scale, stop);
}

Result<CapturedImage> SimImager::capture(const FieldRequest& request, std::stop_token stop) {
  if (state() == InstrumentState::offline) return Status{StatusCode::disconnected, name_ + " is not connected"};
  if (state() == InstrumentState::error)
    return Status{StatusCode::device_error, name_ + " is in an error state; disconnect and reconnect it"};
  if (!plate_) return Status{StatusCode::invalid_argument, "no plate loaded in " + name_ + "; load_plate() first"};
  if (!contents_of(request.well))
    return Status{StatusCode::invalid_argument, "well '" + request.well + "' is not in the loaded plate's layout"};
  if (settings_.fail_after_captures >= 0 && captures_ >= settings_.fail_after_captures) {
    const bool gone = settings_.fail_mode == "disconnected";
    set_state(gone ? InstrumentState::offline : InstrumentState::error, "simulated camera fault");
    return Status{gone ? StatusCode::disconnected : StatusCode::device_error,
                  name_ + ": camera stopped answering after " + std::to_string(captures_) +
                      " captures (simulated fault, fail_after_captures)"};
  }
  set_state(InstrumentState::busy, "capturing " + request.well);
  if (!wait_ms(settings_.move_ms + request.exposure_ms + settings_.readout_ms, stop)) {
    set_state(InstrumentState::online, "idle");
    return Status{StatusCode::cancelled, "capture of " + request.well + " stopped"};
  }
  ++captures_;
  CapturedImage out;
  const double focus_error = std::abs(z_um_ - true_focus_um(request.well));
  out.pixels = render_field(request, focus_error, {settings_.frame_width_px, settings_.frame_height_px});
  out.well = request.well;
  out.field = request.field;
  out.pixel_size_um = colony_plate() ? settings_.colony_pixel_size_um : settings_.pixel_size_um;
  out.exposure_ms = request.exposure_ms;
  out.z_um = z_um_;
  out.offset_x_mm = request.offset_x_mm;
  out.offset_y_mm = request.offset_y_mm;
  set_state(InstrumentState::online, "idle");
  return out;
}

Result<double> SimImager::autofocus(const FieldRequest& request, const AutofocusPlan& plan,
                                    std::stop_token stop) {
  if (state() != InstrumentState::online) return Status{StatusCode::device_error, name_ + " is not ready to focus"};
  if (!plate_ || !contents_of(request.well))
    return Status{StatusCode::invalid_argument, "autofocus: well '" + request.well + "' is not loaded"};
  const double truth_z = true_focus_um(request.well);
  // Focus frames are small crops: enough detail to score, a fraction of the render time.
  const cv::Size focus_frame(std::min(384, settings_.frame_width_px), std::min(384, settings_.frame_height_px));
  SharpnessAtZ at_z = [&](double z) -> Result<double> {
    if (!wait_ms(request.exposure_ms + settings_.readout_ms, stop))
      return Status{StatusCode::cancelled, "autofocus stopped"};
    return focus_sharpness(render_field(request, std::abs(z - truth_z), focus_frame));
  };
  auto best = find_best_focus(at_z, z_um_, plan, stop);
  if (!best) return best.status();
  z_um_ = best.value();
  return z_um_;
}

}  // namespace assay::drivers::sim

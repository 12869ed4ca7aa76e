// The simulated imager ("sim-imager"): a camera over a plate that photographs colony dishes and
// stained transwell membranes with a known truth, takes time, focuses, and fails on demand.
//
// Scenes: for colony plates ("dish-*" formats) each well is a whole dish rendered once (cached)
// at `colony_pixel_size_um` and every field is a crop of it at the requested stage offset, so
// tiles of one dish overlap consistently and can be stitched. The colony count of a well is
// simulation.colonies_per_well (a number, or an object by well name) or else Poisson(cells
// plated x plating_efficiency). For other plates each field is a membrane of stained cells at
// `pixel_size_um`: the expected cells per field are cells_per_field x remaining_response(conc)
// of the compound's migration truth (pharmacology.hpp) when the chemokine is present, and
// cells_per_field / chemotactic_index without it; blank wells have none. Counts are Poisson
// around the expectation and the realised counts are the truth (Instrument::truth()).
//
// Focus: every well has its own true focus z (within +- focus_spread_um of 0); a capture is
// blurred by the distance from the current z, and autofocus() finds it with the shared
// coarse-to-fine search (autofocus.hpp).
//
// Thread safety: capture()/autofocus() run on one worker at a time; state(), describe() and
// truth() are safe from any thread. Captures honour the stop token (StatusCode::cancelled).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "assay/drivers/clock.hpp"
#include "assay/drivers/imager.hpp"
#include "assay/drivers/sim/pharmacology.hpp"
#include "assay/drivers/state_reporter.hpp"

namespace assay::drivers::sim {

struct SimImagerSettings {
  double time_scale = 1.0;           // 1 = real time; 0 = no waiting
  double pixel_size_um = 1.0;        // membrane fields (10x objective)
  double colony_pixel_size_um = 20.0;  // colony dishes (macro objective)
  int frame_width_px = 1024;
  int frame_height_px = 1024;
  // Fixes every run; none: each run draws a new seed unless the job sets simulation.seed.
  std::optional<std::uint64_t> seed;
  double readout_ms = 30.0;          // per capture, on top of the exposure
  double move_ms = 150.0;            // stage move between fields
  long fail_after_captures = -1;     // the camera faults after this many captures (-1 never)
  std::string fail_mode = "device_error";  // or "disconnected"
  double focus_spread_um = 25.0;     // true focus of a well within +- this of z = 0
  // Colonies.
  double plating_efficiency = 0.005;  // colonies per plated cell
  double default_cells_plated = 10000.0;
  bool light_colonies = true;
  // Stained cells.
  double cells_per_field = 80.0;      // chemokine, no antagonist
  double chemotactic_index = 4.5;     // stimulated / unstimulated migration
  double cell_diameter_um = 20.0;

  PharmacologyTruth truth_defaults;
  nlohmann::json raw = nlohmann::json::object();

  // Unknown keys and wrong types are refused with the key named.
  static Result<SimImagerSettings> from_json(const nlohmann::json& settings);
};

class SimImager final : public Imager {
 public:
  // Device time passes on `clock` (scaled by settings.time_scale); tests pass a ManualClock.
  SimImager(std::string name, SimImagerSettings settings, Clock& clock = real_clock());

  const std::string& name() const override { return name_; }
  InstrumentState state() const override { return reporter_.state(); }
  nlohmann::json describe() const override;
  Status connect() override;
  void disconnect() override;
  Status load_plate(const LoadedPlate& plate) override;
  void release_plate_cache() override;  // the rendered dishes; rendered again if asked for
  nlohmann::json truth() const override;
  void set_state_listener(StateListener listener) override { reporter_.set_listener(std::move(listener)); }

  Result<CapturedImage> capture(const FieldRequest& request, std::stop_token stop) override;
  Result<double> autofocus(const FieldRequest& request, const AutofocusPlan& plan,
                           std::stop_token stop) override;
  bool has_autofocus() const override { return true; }
  cv::Size2d field_of_view_mm() const override;
  double pixel_size_um() const override;

  double z_um() const { return z_um_; }

 private:
  bool colony_plate() const;
  const WellContents* contents_of(const std::string& well) const;
  double true_focus_um(const std::string& well) const;
  int colonies_in(const std::string& well) const;
  double expected_cells(const WellContents& well) const;
  int cells_in_field(const std::string& well, int field) const;
  const cv::Mat& dish_image(const std::string& well);
  cv::Mat render_field(const FieldRequest& request, double focus_error_um, cv::Size size);
  bool wait_ms(double ms, std::stop_token stop) const;
  void set_state(InstrumentState state, const std::string& detail) { reporter_.set(state, detail); }

  std::string name_;
  SimImagerSettings settings_;
  Clock& clock_;
  StateReporter reporter_;
  mutable std::mutex mutex_;  // guards plate_, truth_json_
  std::optional<LoadedPlate> plate_;
  std::uint64_t run_seed_ = 0;  // of the loaded plate
  PharmacologyTruth pharmacology_;
  nlohmann::json truth_json_ = nullptr;
  std::map<std::string, cv::Mat> dishes_;  // worker thread only
  double z_um_ = 0.0;
  long captures_ = 0;
};

}  // namespace assay::drivers::sim

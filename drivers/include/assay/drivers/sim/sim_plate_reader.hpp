// The simulated plate reader ("sim-plate-reader"): behaves like a real reader (takes time,
// reports progress, reads wells at their own times, saturates, can fail on demand) and produces
// data with a known truth from the pharmacology model (sim/pharmacology.hpp).
//
// Kinetic fluorescence (calcium flux): per well a dye-loading baseline F0, slow drift
// (bleaching), an injection artefact, then a calcium transient whose dF/F0 amplitude is
// peak_df_f0 * remaining_response(conc) for stimulated wells; proportional noise; values clip at
// saturation_rfu. Cycles are read every interval_s, faster (fast_interval_factor) for
// fast_window_s after the injection, with a dispense pause at the injection; inside a cycle the
// wells are read one after another (per_well_read_s apart), so every reading has its own time.
// Absorbance endpoint (transwell chemotaxis, eluted crystal violet at 570-595 nm):
// OD = blank_od + od_per_cell * migrated cells, migrated = cells * migrated_fraction *
// remaining_response(conc) for chemokine-stimulated wells and cells * migrated_fraction /
// chemotactic_index for unstimulated ones; blank wells give the blank OD only.
//
// Per-plate overrides in LoadedPlate::simulation (besides the pharmacology keys):
//   "artefact_wells": ["B3"]          large injection artefact (a dispense bubble) in these wells
//   "bright_wells": ["C4"]            5x dye loading: these wells saturate at the peak
//   "dropped_reads": {"D5": [3, 4]}   the reader returns no value for these cycles of a well
//
// Thread safety: read_* methods are called by one worker at a time (the driver is not
// re-entrant); state(), describe() and truth() may be called from any thread. Reads honour the
// stop token: the current cycle is finished and delivered, then StatusCode::cancelled returns.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

#include "assay/drivers/clock.hpp"
#include "assay/drivers/plate_reader.hpp"
#include "assay/drivers/sim/pharmacology.hpp"
#include "assay/drivers/state_reporter.hpp"

namespace assay::drivers::sim {

struct SimPlateReaderSettings {
  double time_scale = 1.0;           // 1 = real time; 0.02 runs 50x faster; 0 = no waiting
  double noise_percent = 3.0;        // SD of read noise, % of the signal
  // Fixes the noise of every run; none: each run draws a new seed unless the job sets
  // simulation.seed (the seed of a run is in its truth).
  std::optional<std::uint64_t> seed;
  // Failure on demand: after this many readings of one read the device faults (-1 = never).
  long fail_after_readings = -1;
  std::string fail_mode = "device_error";  // or "disconnected"
  // false: a reader without an injector (kinetic reads with an injection are refused; the
  // calcium_flux job then waits for a manual addition).
  bool injector = true;

  // Kinetic fluorescence model.
  double baseline_rfu = 12000.0;      // mean F0 of dye-loaded cells
  double baseline_cv_percent = 12.0;  // well-to-well dye loading variation
  double blank_rfu = 900.0;           // wells without cells (role "blank")
  double peak_df_f0 = 1.6;            // uninhibited transient amplitude
  double amplitude_cv_percent = 6.0;  // biological well-to-well variation of the amplitude
  double unstimulated_df_f0 = 0.03;   // buffer injection (no agonist)
  double response_delay_s = 1.5;      // injection to rise
  double rise_time_s = 2.5;
  double decay_time_s = 30.0;
  double drift_percent_per_min = -1.5;     // bleaching
  double injection_artefact_percent = 3.0;  // dilution/mixing dip, every injected well
  double artefact_well_dip_percent = 40.0;  // dip in the "artefact_wells"
  double saturation_rfu = 65535.0;
  double per_well_read_s = 0.0005;    // time between two wells inside a cycle
  double min_cycle_s = 0.1;           // plate movement overhead of one cycle
  double fast_window_s = 8.0;         // after injection, cycles run faster ...
  double fast_interval_factor = 0.5;  // ... at this fraction of interval_s
  double dispense_rate_uL_per_s = 200.0;

  // Absorbance model (crystal violet of migrated cells).
  double blank_od = 0.045;
  double od_per_cell = 2.5e-5;
  double default_cells_plated = 100000.0;
  double migrated_fraction = 0.4;     // of plated cells, with chemokine, no antagonist
  double chemotactic_index = 4.5;     // stimulated / unstimulated migration
  double od_noise_percent = 4.0;
  double od_saturation = 4.0;
  int absorbance_peak_nm = 590;       // crystal violet
  double absorbance_band_sd_nm = 45.0;

  double ambient_temperature_C = 24.6;

  PharmacologyTruth truth_defaults;  // from true_ic50_nM, true_hill_slope, migration_ic50_nM ...
  nlohmann::json raw = nlohmann::json::object();

  // Unknown keys and wrong types are refused with the key named.
  static Result<SimPlateReaderSettings> from_json(const nlohmann::json& settings);
};

class SimPlateReader final : public PlateReader {
 public:
  // Device time passes on `clock` (scaled by settings.time_scale); tests pass a ManualClock.
  SimPlateReader(std::string name, SimPlateReaderSettings settings, Clock& clock = real_clock());

  const std::string& name() const override { return name_; }
  InstrumentState state() const override { return reporter_.state(); }
  nlohmann::json describe() const override;
  Status connect() override;
  void disconnect() override;
  Status load_plate(const LoadedPlate& plate) override;
  nlohmann::json truth() const override;
  void set_state_listener(StateListener listener) override { reporter_.set_listener(std::move(listener)); }

  Status read_absorbance(const AbsorbancePlan& plan, const ReadingSink& sink,
                         const ProgressSink& progress, std::stop_token stop) override;
  Status read_absorbance_spectrum(const AbsorbanceSpectrumPlan& plan, const ReadingSink& sink,
                                  const ProgressSink& progress, std::stop_token stop) override;
  Status read_fluorescence(const FluorescenceEndpointPlan& plan, const ReadingSink& sink,
                           const ProgressSink& progress, std::stop_token stop) override;
  Status read_kinetic_fluorescence(const KineticFluorescencePlan& plan, const ReadingSink& sink,
                                   const ProgressSink& progress, std::stop_token stop) override;
  Result<double> temperature_C() override;
  double min_kinetic_interval_s(int well_count) const override;

  const SimPlateReaderSettings& settings() const { return settings_; }

 private:
  // Marks the device busy for one read and online again after (unless it failed meanwhile).
  struct ReadScope {
    explicit ReadScope(SimPlateReader& reader) : reader_(reader) {
      reader_.set_state(InstrumentState::busy, "reading");
    }
    ~ReadScope() {
      if (reader_.state() == InstrumentState::busy) {
        reader_.set_state(InstrumentState::online, "idle");
      }
    }
    ReadScope(const ReadScope&) = delete;
    ReadScope& operator=(const ReadScope&) = delete;
    SimPlateReader& reader_;
  };
  Status check_ready() const;
  // A well to read: what it holds and its index (the seed of its random streams). Wells of
  // the plate that the layout does not name are read as empty (blank) wells.
  struct PlannedWell {
    std::size_t index = 0;
    WellContents contents;
  };
  // Wells of the plan, defaulting to every well of the layout; fails naming a well that is not
  // on the plate. Call with the plate copied under the lock.
  static Result<std::vector<PlannedWell>> plan_wells(const LoadedPlate& plate,
                                                     const std::vector<std::string>& wells);
  // Copies of the loaded plate and truth for one read.
  struct Snapshot {
    LoadedPlate plate;
    PharmacologyTruth truth;
    std::uint64_t seed = 0;
  };
  Snapshot snapshot() const;
  // Sleeps `seconds` of device time (scaled) in small steps; false when stop was requested.
  bool wait_device_time(double seconds, std::stop_token stop) const;
  // Counts delivered readings against fail_after_readings; a failed Status when it triggers.
  Status deliver(std::span<const Reading> page, const ReadingSink& sink, long& delivered);
  void set_state(InstrumentState state, const std::string& detail) { reporter_.set(state, detail); }

  std::string name_;
  SimPlateReaderSettings settings_;
  Clock& clock_;
  StateReporter reporter_;
  mutable std::mutex mutex_;  // guards plate_, truth_, target_temperature_C_
  std::optional<LoadedPlate> plate_;
  PharmacologyTruth truth_;
  std::uint64_t run_seed_ = 0;  // of the loaded plate
  std::optional<double> target_temperature_C_;
};

}  // namespace assay::drivers::sim

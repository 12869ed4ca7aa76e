// Calcium-flux analysis: per-well F0 and response, flags, normalisation to the plate's controls,
// one dose-response fit per compound and plate QC (Z').
//
// analyze_calcium_flux() is a pure function of the readings, the layout and the parameters, so
// the daemon and `assayctl analyze calcium_flux` give identical results for the same readings.
// It throws ProtocolError("analysis_error") when the plate cannot be normalised (every control
// of a group excluded or missing). Thread-safe (no shared state).
#pragma once

#include <limits>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "assay/drivers/readings.hpp"
#include "assay/protocols/calcium/params.hpp"
#include "assay/protocols/calcium/traces.hpp"
#include "assay/protocols/fit/dose_response.hpp"
#include "assay/protocols/fit/plate_qc.hpp"
#include "assay/protocols/layout.hpp"

namespace assay::protocols::calcium {

inline constexpr const char* kFlagNoBaseline = "no_baseline";
inline constexpr const char* kFlagSaturated = "saturated";
inline constexpr const char* kFlagDroppedRead = "dropped_read";
inline constexpr const char* kFlagInjectionArtefact = "injection_artefact";

struct WellResponse {
  std::string well;
  std::string role;
  std::string compound;
  double conc_nM = 0.0;
  bool stimulated = true;
  int frames = 0;
  int first_cycle = -1, last_cycle = -1;
  int baseline_frames = 0;
  double f0 = std::numeric_limits<double>::quiet_NaN();
  double f_max = std::numeric_limits<double>::quiet_NaN();  // smoothed, after the injection
  double f_min = std::numeric_limits<double>::quiet_NaN();  // smoothed, whole read
  double peak_time_s = std::numeric_limits<double>::quiet_NaN();
  double response = std::numeric_limits<double>::quiet_NaN();  // the configured metric
  double percent_response = std::numeric_limits<double>::quiet_NaN();
  double percent_inhibition = std::numeric_limits<double>::quiet_NaN();
  std::vector<std::string> flags;
  std::vector<int> dropped_cycles;
  bool excluded = false;  // left out of normalisation, QC and fits (see exclude_flags)

  bool has_flag(const std::string& flag) const;
};

struct CompoundSeries {
  std::string compound;
  std::vector<std::string> wells;       // the wells behind `points`, same order
  std::vector<fit::DosePoint> points;   // conc in nM, response as fitted
  fit::DoseResponseFit fit;
};

struct CalciumFluxAnalysis {
  std::string channel;
  int cycles = 0;
  std::size_t readings_used = 0;
  std::vector<WellResponse> wells;  // layout order
  std::vector<CompoundSeries> series;
  double positive_mean = std::numeric_limits<double>::quiet_NaN();
  double negative_mean = std::numeric_limits<double>::quiet_NaN();
  bool has_qc = false;
  fit::PlateQc qc;
  std::vector<std::string> warnings;
};

// Per-well metrics of one trace (no normalisation); `trace` is null when the well has no
// readings. `plate_cycles` are the cycles seen on the plate (to find dropped reads).
WellResponse measure_well(const KineticTrace* trace, const WellAssignment& well,
                          const CalciumFluxParams& params, const std::set<int>& plate_cycles);

CalciumFluxAnalysis analyze_calcium_flux(std::span<const drivers::Reading> readings,
                                         const PlateLayout& layout,
                                         const CalciumFluxParams& params);

}  // namespace assay::protocols::calcium

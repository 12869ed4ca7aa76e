// Parameters of the `calcium_flux` protocol, parsed from a job's "params" (or the --params file
// of `assayctl analyze calcium_flux`). Defaults suit Fluo-4 on a 384-well plate.
//
// parse_calcium_flux_params() refuses unknown keys, wrong types and impossible values with a
// ProtocolError("invalid_params") naming the key ("params.injection.time_s: 130 s is after the
// end of the read (duration_s 120 s)"). Value types; thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::protocols::calcium {

// How a well's response is measured after the injection.
enum class ResponseMetric {
  peak_df_f0,  // (Fmax - F0) / F0, the default
  max_min,     // Fmax - Fmin over the read, in RFU
  auc,         // area under (F - F0) / F0 after the injection, in seconds
};
// What the dose-response fit sees.
enum class Normalisation {
  controls,  // % response: positive controls = 100 %, negative controls = 0 %
  none,      // the raw metric
};

const char* to_string(ResponseMetric metric);
const char* to_string(Normalisation normalisation);

struct InjectionParams {
  double time_s = 15.0;  // from the start of the read
  double volume_uL = 20.0;
  std::string reagent = "agonist";
};

struct AnalysisParams {
  ResponseMetric metric = ResponseMetric::peak_df_f0;
  Normalisation normalisation = Normalisation::controls;
  int min_baseline_frames = 3;      // fewer baseline reads than this: flag no_baseline
  int smoothing_frames = 5;         // centred running mean before taking Fmax/Fmin (1 = none)
  std::optional<double> auc_window_s;  // default: from the injection to the end of the read
  std::optional<double> saturation_rfu;  // readings at or above are saturated (besides the flag)
  double artefact_window_s = 1.5;   // after the injection, before cells can respond
  double artefact_threshold_percent = 15.0;  // dip below F0 in that window flagging an artefact
  // Flags whose wells are left out of normalisation, QC and fits (they stay in the well rows).
  std::vector<std::string> exclude_flags{"no_baseline", "saturated", "injection_artefact"};
  double z_prime_threshold = 0.5;
  std::optional<double> fixed_top;     // e.g. 100 with normalisation to controls
  std::optional<double> fixed_bottom;  // e.g. 0
  bool figures = true;
};

struct CalciumFluxParams {
  int excitation_nm = 494;  // Fluo-4
  int emission_nm = 516;
  double interval_s = 1.0;
  double baseline_s = 15.0;  // baseline read before the injection
  InjectionParams injection;
  double duration_s = 120.0;
  std::optional<double> temperature_C;
  std::vector<std::string> wells;  // empty: every well of the layout
  int flashes = 10;
  AnalysisParams analysis;

  // "fl494-516": the channel the reader reports these readings under.
  std::string channel() const;
};

// Throws ProtocolError("invalid_params", ...) naming the key at fault.
CalciumFluxParams parse_calcium_flux_params(const nlohmann::json& params);
nlohmann::json to_json(const CalciumFluxParams& params);

}  // namespace assay::protocols::calcium

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

// How the agonist gets into the wells.
enum class AdditionMode {
  reader_default,  // the reader's injector when it has one, else manual (params.addition absent)
  injector,        // the reader injects at injection.time_s during one kinetic read
  manual,          // baseline read, the job waits for a person to add it, then the response read
};

const char* to_string(AdditionMode mode);

struct AdditionParams {
  AdditionMode mode = AdditionMode::reader_default;
  std::string message;     // shown while waiting; empty: one naming the reagent, volume and wells
  double timeout_s = 600;  // the job fails when nobody continues it within this time
  // Recorded when the job ran (its result's summary.addition): only offline analysis takes them.
  std::optional<double> time_s;          // the addition on the read's clock
  std::optional<double> baseline_end_s;  // where the baseline read ended on that clock
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
  AdditionParams addition;
  double duration_s = 120.0;
  std::optional<double> temperature_C;
  std::vector<std::string> wells;  // empty: every well of the layout
  int flashes = 10;
  AnalysisParams analysis;

  // "fl494-516": the channel the reader reports these readings under.
  std::string channel() const;
  // Where the response begins on the read's clock: the recorded manual addition, or the
  // injection. Frames from here on are response; F0 comes from the frames in
  // [baseline_start_s(), response_start_s()).
  double response_start_s() const;
  // baseline_s before the end of the baseline: the injection, or for a manual addition the end
  // of the baseline read (the wait between that and the addition holds no frames).
  double baseline_start_s() const;
};

// Throws ProtocolError("invalid_params", ...) naming the key at fault.
CalciumFluxParams parse_calcium_flux_params(const nlohmann::json& params);
nlohmann::json to_json(const CalciumFluxParams& params);

}  // namespace assay::protocols::calcium

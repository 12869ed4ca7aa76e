#include "assay/protocols/calcium/params.hpp"

#include <algorithm>
#include <cmath>
#include <set>

#include "assay/protocols/key_names.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::calcium {
namespace {

using nlohmann::json;

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw ProtocolError("invalid_params", path + ": " + what);
}

std::string fmt(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

void check_keys(const json& object, const std::string& path, const std::set<std::string>& known) {
  if (!object.is_object()) fail(path, "must be an object");
  for (const auto& [key, value] : object.items()) {
    if (!known.count(key)) {
      fail(path + "." + key, unknown_key_message(key, std::vector<std::string>(known.begin(), known.end())));
    }
  }
}

double number(const json& object, const std::string& path, const char* key, double fallback,
              double min, double max) {
  if (!object.contains(key)) return fallback;
  const auto& v = object.at(key);
  auto where = path + "." + key;
  if (!v.is_number()) fail(where, "must be a number");
  double x = v.get<double>();
  if (!std::isfinite(x) || x < min || x > max) {
    fail(where, fmt(x) + " is outside " + fmt(min) + ".." + fmt(max));
  }
  return x;
}

int integer(const json& object, const std::string& path, const char* key, int fallback, int min,
            int max) {
  if (!object.contains(key)) return fallback;
  const auto& v = object.at(key);
  auto where = path + "." + key;
  if (!v.is_number_integer()) fail(where, "must be an integer");
  int x = v.get<int>();
  if (x < min || x > max) fail(where, std::to_string(x) + " is outside " + std::to_string(min) +
                                          ".." + std::to_string(max));
  return x;
}

std::string text(const json& object, const std::string& path, const char* key,
                 const std::string& fallback) {
  if (!object.contains(key)) return fallback;
  if (!object.at(key).is_string()) fail(path + "." + key, "must be a string");
  return object.at(key).get<std::string>();
}

AnalysisParams parse_analysis(const json& a) {
  const std::string path = "params.analysis";
  check_keys(a, path,
             {"metric", "normalisation", "min_baseline_frames", "smoothing_frames", "auc_window_s",
              "saturation_rfu", "artefact_window_s", "artefact_threshold_percent",
              "exclude_flags", "z_prime_threshold", "fixed_top", "fixed_bottom", "figures"});
  AnalysisParams out;
  auto metric = text(a, path, "metric", "peak_df_f0");
  if (metric == "peak_df_f0") out.metric = ResponseMetric::peak_df_f0;
  else if (metric == "max_min") out.metric = ResponseMetric::max_min;
  else if (metric == "auc") out.metric = ResponseMetric::auc;
  else fail(path + ".metric", "'" + metric + "' is not a metric; use peak_df_f0, max_min or auc");
  auto norm = text(a, path, "normalisation", "controls");
  if (norm == "controls") out.normalisation = Normalisation::controls;
  else if (norm == "none") out.normalisation = Normalisation::none;
  else fail(path + ".normalisation", "'" + norm + "' is not known; use controls or none");
  out.min_baseline_frames = integer(a, path, "min_baseline_frames", 3, 1, 10000);
  out.smoothing_frames = integer(a, path, "smoothing_frames", 5, 1, 51);
  if (a.contains("auc_window_s")) out.auc_window_s = number(a, path, "auc_window_s", 0, 1e-3, 1e6);
  if (a.contains("saturation_rfu")) out.saturation_rfu = number(a, path, "saturation_rfu", 0, 1, 1e12);
  out.artefact_window_s = number(a, path, "artefact_window_s", 1.5, 0, 60);
  out.artefact_threshold_percent = number(a, path, "artefact_threshold_percent", 15, 0.1, 100);
  if (a.contains("exclude_flags")) {
    const auto& flags = a.at("exclude_flags");
    static const std::set<std::string> known{"no_baseline", "saturated", "dropped_read",
                                             "injection_artefact"};
    if (!flags.is_array()) fail(path + ".exclude_flags", "must be a list of flag names");
    out.exclude_flags.clear();
    for (std::size_t i = 0; i < flags.size(); ++i) {
      auto where = path + ".exclude_flags[" + std::to_string(i) + "]";
      if (!flags[i].is_string() || !known.count(flags[i].get<std::string>())) {
        fail(where, "use no_baseline, saturated, dropped_read or injection_artefact");
      }
      out.exclude_flags.push_back(flags[i].get<std::string>());
    }
  }
  out.z_prime_threshold = number(a, path, "z_prime_threshold", 0.5, -1e6, 1);
  if (a.contains("fixed_top")) out.fixed_top = number(a, path, "fixed_top", 0, -1e12, 1e12);
  if (a.contains("fixed_bottom")) out.fixed_bottom = number(a, path, "fixed_bottom", 0, -1e12, 1e12);
  if (a.contains("figures")) {
    if (!a.at("figures").is_boolean()) fail(path + ".figures", "must be true or false");
    out.figures = a.at("figures").get<bool>();
  }
  return out;
}

}  // namespace

const char* to_string(ResponseMetric metric) {
  switch (metric) {
    case ResponseMetric::peak_df_f0: return "peak_df_f0";
    case ResponseMetric::max_min: return "max_min";
    case ResponseMetric::auc: return "auc";
  }
  return "unknown";
}

const char* to_string(Normalisation normalisation) {
  return normalisation == Normalisation::controls ? "controls" : "none";
}

const char* to_string(AdditionMode mode) {
  switch (mode) {
    case AdditionMode::reader_default: return "reader_default";
    case AdditionMode::injector: return "injector";
    case AdditionMode::manual: return "manual";
  }
  return "unknown";
}

std::string CalciumFluxParams::channel() const {
  return "fl" + std::to_string(excitation_nm) + "-" + std::to_string(emission_nm);
}

double CalciumFluxParams::response_start_s() const {
  if (addition.mode == AdditionMode::manual && addition.time_s) return *addition.time_s;
  return injection.time_s;
}

double CalciumFluxParams::baseline_start_s() const {
  if (addition.mode == AdditionMode::manual && addition.baseline_end_s) {
    return std::min(*addition.baseline_end_s, response_start_s()) - baseline_s;
  }
  return response_start_s() - baseline_s;
}

namespace {

AdditionParams parse_addition(const json& a) {
  const std::string path = "params.addition";
  check_keys(a, path, {"mode", "message", "timeout_s", "time_s", "baseline_end_s"});
  AdditionParams out;
  auto mode = text(a, path, "mode", "reader_default");
  if (mode == "injector") out.mode = AdditionMode::injector;
  else if (mode == "manual") out.mode = AdditionMode::manual;
  else if (mode == "reader_default") out.mode = AdditionMode::reader_default;
  else fail(path + ".mode", "'" + mode + "' is not a mode; use injector, manual or reader_default");
  out.message = text(a, path, "message", "");
  if (out.message.size() > 1000) fail(path + ".message", "is longer than 1000 characters");
  out.timeout_s = number(a, path, "timeout_s", 600, 1, 86400);
  if (a.contains("time_s")) out.time_s = number(a, path, "time_s", 0, 0, 1e7);
  if (a.contains("baseline_end_s")) out.baseline_end_s = number(a, path, "baseline_end_s", 0, 0, 1e7);
  if ((out.time_s || out.baseline_end_s) && out.mode != AdditionMode::manual) {
    fail(path + ".time_s", "a recorded addition time needs mode \"manual\"");
  }
  return out;
}

}  // namespace

CalciumFluxParams parse_calcium_flux_params(const json& params) {
  const std::string path = "params";
  CalciumFluxParams out;
  if (params.is_null()) return out;
  check_keys(params, path,
             {"excitation_nm", "emission_nm", "interval_s", "baseline_s", "injection",
              "addition", "duration_s", "temperature_C", "wells", "flashes", "analysis"});
  out.excitation_nm = integer(params, path, "excitation_nm", 494, 320, 850);
  out.emission_nm = integer(params, path, "emission_nm", 516, 330, 900);
  if (out.emission_nm <= out.excitation_nm) {
    fail("params.emission_nm", std::to_string(out.emission_nm) +
                                   " nm must be longer than excitation_nm " +
                                   std::to_string(out.excitation_nm) + " nm");
  }
  out.interval_s = number(params, path, "interval_s", 1.0, 1e-3, 3600);
  out.duration_s = number(params, path, "duration_s", 120.0, 1e-3, 86400);
  out.baseline_s = number(params, path, "baseline_s", 15.0, 0, 86400);
  out.flashes = integer(params, path, "flashes", 10, 1, 200);
  if (params.contains("temperature_C")) {
    out.temperature_C = number(params, path, "temperature_C", 37, 20, 45);
  }
  out.injection.time_s = out.baseline_s;
  if (params.contains("injection")) {
    const auto& inj = params.at("injection");
    check_keys(inj, "params.injection", {"time_s", "volume_uL", "reagent"});
    out.injection.time_s = number(inj, "params.injection", "time_s", out.baseline_s, 0, 86400);
    out.injection.volume_uL = number(inj, "params.injection", "volume_uL", 20.0, 0.1, 200);
    out.injection.reagent = text(inj, "params.injection", "reagent", "agonist");
  }
  if (params.contains("wells")) {
    const auto& wells = params.at("wells");
    if (!wells.is_array()) fail("params.wells", "must be a list of well names");
    for (std::size_t i = 0; i < wells.size(); ++i) {
      if (!wells[i].is_string()) fail("params.wells[" + std::to_string(i) + "]", "must be a well name");
      out.wells.push_back(wells[i].get<std::string>());
    }
  }
  if (params.contains("analysis")) out.analysis = parse_analysis(params.at("analysis"));
  if (params.contains("addition")) out.addition = parse_addition(params.at("addition"));
  if (out.addition.mode == AdditionMode::manual && out.injection.time_s != out.baseline_s) {
    fail("params.injection.time_s",
         fmt(out.injection.time_s) + " s differs from baseline_s " + fmt(out.baseline_s) +
             " s: with a manual addition the agonist goes in when the job is continued after the "
             "baseline read, so leave injection.time_s out");
  }

  // The read must have a baseline, an injection inside it and room for the response.
  if (out.baseline_s <= 0) {
    fail("params.baseline_s", "is 0: F0 needs a baseline before the injection (10-20 s is usual)");
  }
  if (out.injection.time_s >= out.duration_s) {
    fail("params.injection.time_s", fmt(out.injection.time_s) +
                                        " s is not before the end of the read (duration_s " +
                                        fmt(out.duration_s) + " s)");
  }
  if (out.injection.time_s < out.interval_s * out.analysis.min_baseline_frames) {
    fail("params.injection.time_s",
         fmt(out.injection.time_s) + " s leaves no baseline: at interval_s " + fmt(out.interval_s) +
             " s it needs at least " + fmt(out.interval_s * out.analysis.min_baseline_frames) +
             " s for " + std::to_string(out.analysis.min_baseline_frames) + " baseline reads");
  }
  if (out.interval_s > out.duration_s) {
    fail("params.interval_s", fmt(out.interval_s) + " s is longer than duration_s " +
                                  fmt(out.duration_s) + " s");
  }
  if (out.duration_s / out.interval_s > 100000) {
    fail("params.interval_s", "gives more than 100000 cycles; lengthen the interval");
  }
  return out;
}

nlohmann::json to_json(const CalciumFluxParams& p) {
  json analysis{{"metric", to_string(p.analysis.metric)},
                {"normalisation", to_string(p.analysis.normalisation)},
                {"min_baseline_frames", p.analysis.min_baseline_frames},
                {"smoothing_frames", p.analysis.smoothing_frames},
                {"artefact_window_s", p.analysis.artefact_window_s},
                {"artefact_threshold_percent", p.analysis.artefact_threshold_percent},
                {"exclude_flags", p.analysis.exclude_flags},
                {"z_prime_threshold", p.analysis.z_prime_threshold},
                {"figures", p.analysis.figures}};
  if (p.analysis.auc_window_s) analysis["auc_window_s"] = *p.analysis.auc_window_s;
  if (p.analysis.saturation_rfu) analysis["saturation_rfu"] = *p.analysis.saturation_rfu;
  if (p.analysis.fixed_top) analysis["fixed_top"] = *p.analysis.fixed_top;
  if (p.analysis.fixed_bottom) analysis["fixed_bottom"] = *p.analysis.fixed_bottom;
  json addition{{"mode", to_string(p.addition.mode)}, {"timeout_s", p.addition.timeout_s}};
  if (!p.addition.message.empty()) addition["message"] = p.addition.message;
  if (p.addition.time_s) addition["time_s"] = *p.addition.time_s;
  if (p.addition.baseline_end_s) addition["baseline_end_s"] = *p.addition.baseline_end_s;
  json out{{"excitation_nm", p.excitation_nm},
           {"emission_nm", p.emission_nm},
           {"interval_s", p.interval_s},
           {"baseline_s", p.baseline_s},
           {"injection",
            {{"time_s", p.injection.time_s},
             {"volume_uL", p.injection.volume_uL},
             {"reagent", p.injection.reagent}}},
           {"duration_s", p.duration_s},
           {"addition", addition},
           {"flashes", p.flashes},
           {"analysis", analysis}};
  if (p.temperature_C) out["temperature_C"] = *p.temperature_C;
  if (!p.wells.empty()) out["wells"] = p.wells;
  return out;
}

}  // namespace assay::protocols::calcium

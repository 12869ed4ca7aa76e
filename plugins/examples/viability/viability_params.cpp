#include "viability_params.hpp"

#include <stdexcept>

namespace assay::plugins::viability {
namespace {

[[noreturn]] void bad(const std::string& key, const std::string& message) {
  throw std::invalid_argument("params." + key + ": " + message);
}

int wavelength(const nlohmann::json& params, const std::string& key, int fallback) {
  if (!params.contains(key)) return fallback;
  const auto& value = params.at(key);
  if (!value.is_number_integer()) bad(key, "must be a whole number of nanometres");
  int nm = value.get<int>();
  if (nm < 200 || nm > 1000) bad(key, std::to_string(nm) + " nm is outside 200-1000 nm");
  return nm;
}

}  // namespace

ViabilityParams ViabilityParams::from_json(const nlohmann::json& params) {
  if (!params.is_object()) throw std::invalid_argument("params: must be a JSON object");
  static const char* known[] = {"readout", "excitation_nm", "emission_nm", "gain",
                                "wavelength_nm", "reference_nm", "flashes", "z_prime_threshold"};
  for (const auto& [key, value] : params.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      bad(key, "unknown parameter of viability_endpoint");
    }
  }
  ViabilityParams p;
  if (params.contains("readout")) {
    const auto& readout = params.at("readout");
    if (readout == "fluorescence" || readout == "resazurin") {
      p.readout = Readout::fluorescence;
    } else if (readout == "absorbance" || readout == "mtt") {
      p.readout = Readout::absorbance;
    } else {
      bad("readout", "must be \"fluorescence\" (resazurin) or \"absorbance\" (MTT)");
    }
  }
  p.excitation_nm = wavelength(params, "excitation_nm", p.excitation_nm);
  p.emission_nm = wavelength(params, "emission_nm", p.emission_nm);
  if (p.readout == Readout::fluorescence && p.emission_nm <= p.excitation_nm) {
    bad("emission_nm", "must be longer than excitation_nm");
  }
  p.wavelength_nm = wavelength(params, "wavelength_nm", p.wavelength_nm);
  if (params.contains("reference_nm")) {
    if (params.at("reference_nm").is_null()) {
      p.reference_nm.reset();
    } else {
      p.reference_nm = wavelength(params, "reference_nm", 650);
      if (*p.reference_nm == p.wavelength_nm) bad("reference_nm", "must differ from wavelength_nm");
    }
  }
  if (params.contains("gain")) {
    if (!params.at("gain").is_number_integer() || params.at("gain").get<int>() <= 0) {
      bad("gain", "must be a positive whole number");
    }
    p.gain = params.at("gain").get<int>();
  }
  if (params.contains("flashes")) {
    if (!params.at("flashes").is_number_integer() || params.at("flashes").get<int>() < 1 ||
        params.at("flashes").get<int>() > 200) {
      bad("flashes", "must be a whole number from 1 to 200");
    }
    p.flashes = params.at("flashes").get<int>();
  }
  if (params.contains("z_prime_threshold")) {
    if (!params.at("z_prime_threshold").is_number() ||
        params.at("z_prime_threshold").get<double>() >= 1.0) {
      bad("z_prime_threshold", "must be a number below 1");
    }
    p.z_prime_threshold = params.at("z_prime_threshold").get<double>();
  }
  return p;
}

std::string ViabilityParams::signal_channel() const {
  if (readout == Readout::fluorescence) {
    return "fl" + std::to_string(excitation_nm) + "-" + std::to_string(emission_nm);
  }
  return "abs" + std::to_string(wavelength_nm);
}

nlohmann::json ViabilityParams::to_json() const {
  nlohmann::json out = {{"readout", readout == Readout::fluorescence ? "fluorescence" : "absorbance"},
                        {"flashes", flashes},
                        {"z_prime_threshold", z_prime_threshold}};
  if (readout == Readout::fluorescence) {
    out["excitation_nm"] = excitation_nm;
    out["emission_nm"] = emission_nm;
    out["gain"] = gain;
  } else {
    out["wavelength_nm"] = wavelength_nm;
    out["reference_nm"] = reference_nm ? nlohmann::json(*reference_nm) : nlohmann::json(nullptr);
  }
  return out;
}

}  // namespace assay::plugins::viability

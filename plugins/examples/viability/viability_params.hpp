// Parameters of the `viability_endpoint` protocol (cytotoxicity counter-screen), parsed from the
// job's "params" JSON. Errors name the parameter: "params.readout: ...". Value type.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace assay::plugins::viability {

enum class Readout { fluorescence, absorbance };

struct ViabilityParams {
  // Resazurin (alamarBlue) by default: resorufin fluorescence, ex 560 / em 590 nm.
  Readout readout = Readout::fluorescence;
  int excitation_nm = 560;
  int emission_nm = 590;
  int gain = 1000;
  // MTT / formazan when readout = absorbance: 570 nm, minus a 650 nm reference for turbidity.
  int wavelength_nm = 570;
  std::optional<int> reference_nm = 650;
  int flashes = 10;
  double z_prime_threshold = 0.5;

  // Throws std::invalid_argument naming the parameter at fault.
  static ViabilityParams from_json(const nlohmann::json& params);
  // The reading channel holding the signal, as the plate reader names it ("fl560-590", "abs570").
  std::string signal_channel() const;
  nlohmann::json to_json() const;
};

}  // namespace assay::plugins::viability

#include "assay/protocols/chemotaxis/params.hpp"

#include <cmath>
#include <set>
#include <stdexcept>

#include "assay/protocols/key_names.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {
namespace {

using nlohmann::json;

[[noreturn]] void refuse(const std::string& key, const std::string& message) {
  throw ProtocolError("invalid_params", "params." + key + ": " + message);
}

double number(const json& params, const std::string& key, double low, double high) {
  const auto& value = params.at(key);
  if (!value.is_number()) refuse(key, "must be a number");
  double x = value.get<double>();
  if (!std::isfinite(x) || x < low || x > high) {
    refuse(key, "must be between " + json(low).dump() + " and " + json(high).dump() + ", got " +
                    value.dump());
  }
  return x;
}

int integer(const json& params, const std::string& key, int low, int high) {
  const auto& value = params.at(key);
  if (!value.is_number_integer()) refuse(key, "must be a whole number");
  auto x = value.get<long long>();
  if (x < low || x > high) {
    refuse(key, "must be between " + std::to_string(low) + " and " + std::to_string(high) +
                    ", got " + value.dump());
  }
  return static_cast<int>(x);
}

bool boolean(const json& params, const std::string& key) {
  const auto& value = params.at(key);
  if (!value.is_boolean()) refuse(key, "must be true or false");
  return value.get<bool>();
}

std::string choice(const json& params, const std::string& key, const std::set<std::string>& allowed) {
  const auto& value = params.at(key);
  std::string names;
  for (const auto& name : allowed) names += (names.empty() ? "" : ", ") + ("\"" + name + "\"");
  if (!value.is_string() || !allowed.count(value.get<std::string>())) {
    refuse(key, value.dump() + " is not one of " + names);
  }
  return value.get<std::string>();
}

// A field is {"x_mm": .., "y_mm": ..} or a pair [x_mm, y_mm].
FieldOffset field_offset(const json& field, const std::string& key) {
  FieldOffset offset;
  if (field.is_array() && field.size() == 2 && field[0].is_number() && field[1].is_number()) {
    offset = {field[0].get<double>(), field[1].get<double>()};
  } else if (field.is_object() && field.contains("x_mm") && field.contains("y_mm")) {
    for (const auto& [name, value] : field.items()) {
      if (name != "x_mm" && name != "y_mm") refuse(key + "." + name, "is not a field key; use x_mm, y_mm");
      if (!value.is_number()) refuse(key + "." + name, "must be a number");
    }
    offset = {field.at("x_mm").get<double>(), field.at("y_mm").get<double>()};
  } else {
    refuse(key, "a field is {\"x_mm\": 0, \"y_mm\": 1.5} or [0, 1.5] (offset from the insert centre)");
  }
  if (!std::isfinite(offset.x_mm) || !std::isfinite(offset.y_mm)) refuse(key, "offsets must be finite");
  return offset;
}

const std::set<std::string>& known_keys() {
  static const std::set<std::string> keys{
      "readout", "wavelength_nm", "blank_subtraction", "flashes", "fields", "field_radius_mm",
      "combine", "pixel_size_um", "pixel_size_tolerance_percent", "on_pixel_size_mismatch",
      "exposure_ms", "gain", "autofocus", "keep_overlays", "counter", "min_replicates",
      "chemotactic_index_min", "z_prime_threshold", "cv_flag_percent", "include_vehicle_in_fit",
      "constrain_bottom_to_negative"};
  return keys;
}

}  // namespace

const char* to_string(Readout readout) {
  return readout == Readout::absorbance ? "absorbance" : "imaging";
}
const char* to_string(FieldCombine combine) { return combine == FieldCombine::sum ? "sum" : "mean"; }
const char* to_string(MismatchPolicy policy) {
  return policy == MismatchPolicy::error ? "error" : "flag";
}

std::vector<FieldOffset> centre_and_four(double radius_mm) {
  return {{0.0, 0.0}, {radius_mm, 0.0}, {0.0, radius_mm}, {-radius_mm, 0.0}, {0.0, -radius_mm}};
}

ChemotaxisParams parse_chemotaxis_params(const json& params) {
  ChemotaxisParams out;
  if (params.is_null()) return out;
  if (!params.is_object()) {
    throw ProtocolError("invalid_params", "params: must be an object like {\"readout\": \"absorbance\"}");
  }
  for (const auto& [key, value] : params.items()) {
    if (!known_keys().count(key)) {
      refuse(key, unknown_key_message(key, std::vector<std::string>(known_keys().begin(), known_keys().end())));
    }
  }
  auto has = [&](const char* key) { return params.contains(key); };

  if (has("readout")) {
    out.readout = choice(params, "readout", {"absorbance", "imaging"}) == "absorbance"
                      ? Readout::absorbance
                      : Readout::imaging;
  }
  auto& abs = out.absorbance;
  if (has("wavelength_nm")) abs.wavelength_nm = integer(params, "wavelength_nm", 400, 1000);
  if (has("blank_subtraction")) abs.blank_subtraction = boolean(params, "blank_subtraction");
  if (has("flashes")) abs.flashes = integer(params, "flashes", 1, 200);

  auto& img = out.imaging;
  if (has("fields") && has("field_radius_mm")) {
    refuse("fields", "give either fields or field_radius_mm (centre + 4 around), not both");
  }
  if (has("field_radius_mm")) img.fields = centre_and_four(number(params, "field_radius_mm", 0.0, 20.0));
  if (has("fields")) {
    const auto& fields = params.at("fields");
    if (!fields.is_array() || fields.empty()) {
      refuse("fields", "must be a non-empty list of offsets, e.g. [[0,0],[1.5,0],[0,1.5]]");
    }
    img.fields.clear();
    for (std::size_t i = 0; i < fields.size(); ++i) {
      img.fields.push_back(field_offset(fields[i], "fields[" + std::to_string(i) + "]"));
    }
  }
  if (has("combine")) {
    img.combine = choice(params, "combine", {"sum", "mean"}) == "sum" ? FieldCombine::sum
                                                                       : FieldCombine::mean;
  }
  if (has("pixel_size_um")) img.expected_pixel_size_um = number(params, "pixel_size_um", 1e-3, 1e3);
  if (has("pixel_size_tolerance_percent")) {
    img.pixel_size_tolerance_percent = number(params, "pixel_size_tolerance_percent", 0.0, 100.0);
  }
  if (has("on_pixel_size_mismatch")) {
    img.on_pixel_size_mismatch = choice(params, "on_pixel_size_mismatch", {"error", "flag"}) == "error"
                                     ? MismatchPolicy::error
                                     : MismatchPolicy::flag;
  }
  if (has("exposure_ms")) img.exposure_ms = number(params, "exposure_ms", 0.01, 60000.0);
  if (has("gain")) img.gain = number(params, "gain", 0.0, 1000.0);
  if (has("autofocus")) img.autofocus = boolean(params, "autofocus");
  if (has("keep_overlays")) img.keep_overlays = boolean(params, "keep_overlays");
  if (has("counter")) {
    const auto& counter = params.at("counter");
    if (!counter.is_object()) refuse("counter", "must be an object of cell-counter parameters");
    try {
      img.counter = imaging::cell_count_params_from_json(counter, img.counter);
    } catch (const std::exception& e) {
      refuse("counter", e.what());
    }
  }

  auto& an = out.analysis;
  if (has("min_replicates")) an.min_replicates = integer(params, "min_replicates", 1, 100);
  if (has("chemotactic_index_min")) {
    an.chemotactic_index_min = number(params, "chemotactic_index_min", 1.0, 1000.0);
  }
  if (has("z_prime_threshold")) an.z_prime_threshold = number(params, "z_prime_threshold", -10.0, 1.0);
  if (has("cv_flag_percent")) an.cv_flag_percent = number(params, "cv_flag_percent", 0.0, 1000.0);
  if (has("include_vehicle_in_fit")) an.include_vehicle_in_fit = boolean(params, "include_vehicle_in_fit");
  if (has("constrain_bottom_to_negative")) {
    an.constrain_bottom_to_negative = boolean(params, "constrain_bottom_to_negative");
  }
  return out;
}

nlohmann::json to_json(const ChemotaxisParams& params) {
  json out{{"readout", to_string(params.readout)}};
  if (params.readout == Readout::absorbance) {
    out["wavelength_nm"] = params.absorbance.wavelength_nm;
    out["blank_subtraction"] = params.absorbance.blank_subtraction;
    out["flashes"] = params.absorbance.flashes;
  } else {
    const auto& img = params.imaging;
    json fields = json::array();
    for (const auto& f : img.fields) fields.push_back({{"x_mm", f.x_mm}, {"y_mm", f.y_mm}});
    out["fields"] = fields;
    out["combine"] = to_string(img.combine);
    out["pixel_size_um"] = img.expected_pixel_size_um ? json(*img.expected_pixel_size_um) : json();
    out["pixel_size_tolerance_percent"] = img.pixel_size_tolerance_percent;
    out["on_pixel_size_mismatch"] = to_string(img.on_pixel_size_mismatch);
    out["exposure_ms"] = img.exposure_ms;
    out["gain"] = img.gain;
    out["autofocus"] = img.autofocus ? nlohmann::json(*img.autofocus) : nlohmann::json("auto");
  }
  const auto& an = params.analysis;
  out["min_replicates"] = an.min_replicates;
  out["chemotactic_index_min"] = an.chemotactic_index_min;
  out["z_prime_threshold"] = an.z_prime_threshold;
  out["cv_flag_percent"] = an.cv_flag_percent;
  out["include_vehicle_in_fit"] = an.include_vehicle_in_fit;
  out["constrain_bottom_to_negative"] = an.constrain_bottom_to_negative;
  return out;
}

}  // namespace assay::protocols::chemotaxis

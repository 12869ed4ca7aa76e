// ClariostarSettings from the [instrument.settings] table of the daemon's config.
#include "assay/drivers/clariostar/clariostar_reader.hpp"
#include <set>

namespace assay::drivers::clariostar {

namespace {

Status bad_key(const std::string& key, const std::string& want) {
  return {StatusCode::invalid_argument,
          "CLARIOstar setting '" + key + "' must be " + want + " (in [instrument.settings])"};
}

}  // namespace

Result<ClariostarSettings> ClariostarSettings::from_json(const nlohmann::json& j) {
  ClariostarSettings s;
  if (j.is_null()) return s;
  if (!j.is_object()) return Status{StatusCode::invalid_argument, "CLARIOstar settings must be a table"};
  static const std::set<std::string> known = {
      "serial", "reply_timeout_ms", "status_attempts", "data_attempts", "command_attempts",
      "poll_interval_ms", "action_timeout_s", "measurement_timeout_s", "close_drawer_before_read",
      "scan", "scan_diameter_mm", "well_diameter_mm", "settle_s", "excitation_bandwidth_nm",
      "emission_bandwidth_nm", "focal_height_mm",
      // used by the virtual device only
      "time_scale", "well_od", "default_od", "well_rfu", "default_rfu", "drop_bytes_every",
      "startup_gap_s", "plate_present"};
  for (const auto& [key, value] : j.items()) {
    if (known.count(key) == 0) {
      return Status{StatusCode::invalid_argument,
                    "unknown CLARIOstar setting '" + key + "'; see docs/instruments.md for the keys"};
    }
  }
  auto positive_int = [&](const char* key, auto& out, auto convert) -> Status {
    if (!j.contains(key)) return Status::ok();
    if (!j[key].is_number_integer() || j[key].template get<long long>() <= 0) return bad_key(key, "a positive integer");
    out = convert(j[key].template get<long long>());
    return Status::ok();
  };
  auto positive_number = [&](const char* key, double& out) -> Status {
    if (!j.contains(key)) return Status::ok();
    if (!j[key].is_number() || j[key].get<double>() <= 0) return bad_key(key, "a positive number");
    out = j[key].get<double>();
    return Status::ok();
  };
  if (j.contains("serial")) {
    if (!j["serial"].is_string()) return bad_key("serial", "a string such as \"430-2621\"");
    s.serial = j["serial"].get<std::string>();
  }
  using std::chrono::milliseconds;
  using std::chrono::seconds;
  for (Status st : {
           positive_int("reply_timeout_ms", s.reply_timeout, [](long long v) { return milliseconds(v); }),
           positive_int("poll_interval_ms", s.poll_interval, [](long long v) { return milliseconds(v); }),
           positive_int("action_timeout_s", s.action_timeout, [](long long v) { return seconds(v); }),
           positive_int("measurement_timeout_s", s.measurement_timeout, [](long long v) { return seconds(v); }),
           positive_int("status_attempts", s.status_attempts, [](long long v) { return int(v); }),
           positive_int("data_attempts", s.data_attempts, [](long long v) { return int(v); }),
           positive_int("command_attempts", s.command_attempts, [](long long v) { return int(v); }),
           positive_int("scan_diameter_mm", s.scan.scan_diameter_mm, [](long long v) { return int(v); }),
           positive_number("well_diameter_mm", s.scan.well_diameter_mm),
           positive_number("settle_s", s.scan.settle_s),
           positive_number("excitation_bandwidth_nm", s.fluorescence_excitation_bw_nm),
           positive_number("emission_bandwidth_nm", s.fluorescence_emission_bw_nm),
           positive_number("focal_height_mm", s.focal_height_mm)}) {
    if (!st) return st;
  }
  if (j.contains("close_drawer_before_read")) {
    if (!j["close_drawer_before_read"].is_boolean()) return bad_key("close_drawer_before_read", "true or false");
    s.close_drawer_before_read = j["close_drawer_before_read"].get<bool>();
  }
  if (j.contains("scan")) {
    std::string mode = j["scan"].is_string() ? j["scan"].get<std::string>() : "";
    if (mode == "point") s.scan.mode = WellScan::point;
    else if (mode == "orbital") s.scan.mode = WellScan::orbital;
    else if (mode == "spiral") s.scan.mode = WellScan::spiral;
    else return bad_key("scan", "\"point\", \"orbital\" or \"spiral\"");
  }
  return s;
}

}  // namespace assay::drivers::clariostar

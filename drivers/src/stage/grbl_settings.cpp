#include "grbl_stage.hpp"

namespace assay::drivers {
namespace {

Status bad(const std::string& path, const std::string& key, const std::string& message) {
  return {StatusCode::invalid_argument, path + "." + key + ": " + message};
}

Status read_ms(const nlohmann::json& settings, const std::string& path, const char* key, int& out) {
  if (!settings.contains(key)) return Status::ok();
  const auto& value = settings.at(key);
  if (!value.is_number_integer() || value.get<long long>() <= 0 || value.get<long long>() > 3600000) {
    return bad(path, key, "must be a whole number of milliseconds from 1 to 3600000");
  }
  out = value.get<int>();
  return Status::ok();
}

}  // namespace

Result<GrblSettings> GrblSettings::from_json(const nlohmann::json& settings,
                                             const std::string& path) {
  if (!settings.is_object()) {
    return Status{StatusCode::invalid_argument, path + ": must be a table"};
  }
  static const char* known[] = {"controller", "port", "baud", "limits", "has_z",
                                "homing_required", "connect_timeout_ms", "command_timeout_ms",
                                "move_timeout_ms", "homing_timeout_ms", "poll_interval_ms",
                                "position_tolerance_mm"};
  for (const auto& [key, value] : settings.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      return bad(path, key, "unknown setting of a GRBL stage");
    }
  }
  GrblSettings out;
  if (!settings.contains("port") || !settings.at("port").is_string() ||
      settings.at("port").get<std::string>().empty()) {
    return bad(path, "port", "is required: the controller's serial device, e.g. \"/dev/ttyUSB0\"");
  }
  out.port = settings.at("port").get<std::string>();
  if (settings.contains("baud")) {
    if (!settings.at("baud").is_number_integer()) return bad(path, "baud", "must be a whole number");
    out.baud = settings.at("baud").get<int>();
  }
  if (settings.contains("limits")) {
    auto limits = parse_stage_limits(settings.at("limits"), path + ".limits");
    if (!limits) return limits.status();
    out.limits = *limits;
  }
  for (auto [key, target] : {std::pair{"has_z", &out.has_z}, {"homing_required", &out.homing_required}}) {
    if (!settings.contains(key)) continue;
    if (!settings.at(key).is_boolean()) return bad(path, key, "must be true or false");
    *target = settings.at(key).get<bool>();
  }
  for (auto [key, target] : {std::pair{"connect_timeout_ms", &out.connect_timeout_ms},
                             {"command_timeout_ms", &out.command_timeout_ms},
                             {"move_timeout_ms", &out.move_timeout_ms},
                             {"homing_timeout_ms", &out.homing_timeout_ms},
                             {"poll_interval_ms", &out.poll_interval_ms}}) {
    if (auto status = read_ms(settings, path, key, *target); !status) return status;
  }
  if (settings.contains("position_tolerance_mm")) {
    const auto& value = settings.at("position_tolerance_mm");
    if (!value.is_number() || value.get<double>() <= 0.0) {
      return bad(path, "position_tolerance_mm", "must be a positive number");
    }
    out.position_tolerance_mm = value.get<double>();
  }
  return out;
}

}  // namespace assay::drivers

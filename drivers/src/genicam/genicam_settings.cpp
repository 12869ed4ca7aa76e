#include "assay/drivers/genicam/genicam_settings.hpp"

#include <algorithm>
#include <array>

#include "pixel_conversion.hpp"

namespace assay::drivers {
namespace {

Status bad(const std::string& path, const std::string& key, const std::string& message) {
  return {StatusCode::invalid_argument, path + "." + key + ": " + message};
}

// Reads an integer key within [low, high] into `target` when present.
Status read_int(const nlohmann::json& settings, const std::string& path, const char* key, int low,
                int high, const std::string& meaning, int& target) {
  if (!settings.contains(key)) return Status::ok();
  const auto& value = settings.at(key);
  if (!value.is_number_integer() || value.get<long long>() < low || value.get<long long>() > high) {
    return bad(path, key, "must be " + meaning + " from " + std::to_string(low) + " to " +
                              std::to_string(high));
  }
  target = value.get<int>();
  return Status::ok();
}

Status read_text(const nlohmann::json& settings, const std::string& path, const char* key,
                 std::string& target) {
  if (!settings.contains(key)) return Status::ok();
  const auto& value = settings.at(key);
  if (!value.is_string() || value.get<std::string>().empty()) return bad(path, key, "must be a non-empty string");
  target = value.get<std::string>();
  return Status::ok();
}

}  // namespace

const char* to_string(GenicamTrigger trigger) {
  switch (trigger) {
    case GenicamTrigger::software: return "software";
    case GenicamTrigger::hardware: return "hardware";
    case GenicamTrigger::free_run: return "free_run";
  }
  return "?";
}

std::string GenicamCameraSettings::wanted() const {
  if (!device_id.empty()) return "device '" + device_id + "'";
  std::string out;
  for (auto [what, value] : {std::pair{"vendor", &vendor}, {"model", &model}, {"serial", &serial}}) {
    if (value->empty()) continue;
    out += (out.empty() ? "" : ", ") + std::string(what) + " '" + *value + "'";
  }
  return out.empty() ? "the first camera found" : out;
}

Result<GenicamCameraSettings> GenicamCameraSettings::from_json(const nlohmann::json& settings,
                                                               const std::string& path) {
  if (!settings.is_object()) return Status{StatusCode::invalid_argument, path + ": must be a table"};
  static const std::array known = {
      "device_id", "vendor", "model", "serial", "pixel_format", "width_px", "height_px",
      "offset_x_px", "offset_y_px", "binning", "pixel_size_um", "trigger", "trigger_source",
      "trigger_activation", "gain_unit", "grab_timeout_ms", "frames_to_discard", "buffers",
      "socket_buffer_bytes", "packet_size_bytes", "monochrome"};
  for (const auto& [key, value] : settings.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return bad(path, key, "unknown GenICam camera setting");
    }
  }
  GenicamCameraSettings out;
  for (auto [key, target] : {std::pair{"device_id", &out.device_id}, {"vendor", &out.vendor},
                             {"model", &out.model}, {"serial", &out.serial},
                             {"trigger_source", &out.trigger_source},
                             {"trigger_activation", &out.trigger_activation}}) {
    if (auto s = read_text(settings, path, key, *target); !s) return s;
  }
  if (!out.device_id.empty() && (!out.vendor.empty() || !out.model.empty() || !out.serial.empty())) {
    return bad(path, "device_id", "give either device_id or vendor/model/serial, not both");
  }
  if (settings.contains("pixel_format")) {
    const auto& value = settings.at("pixel_format");
    if (!value.is_string() || !parse_pixel_layout(value.get<std::string>())) {
      return bad(path, "pixel_format", "must be one of " + supported_pixel_formats());
    }
    out.pixel_format = value.get<std::string>();
  }
  struct IntKey {
    const char* key;
    int low, high;
    const char* meaning;
    int* target;
  };
  const IntKey ints[] = {
      {"width_px", 1, 65535, "a whole number of pixels", &out.width_px},
      {"height_px", 1, 65535, "a whole number of pixels", &out.height_px},
      {"offset_x_px", 0, 65535, "a whole number of pixels", &out.offset_x_px},
      {"offset_y_px", 0, 65535, "a whole number of pixels", &out.offset_y_px},
      {"binning", 1, 16, "a whole binning factor", &out.binning},
      {"grab_timeout_ms", 50, 600000, "milliseconds", &out.grab_timeout_ms},
      {"frames_to_discard", 0, 100, "a number of frames", &out.frames_to_discard},
      {"buffers", 2, 64, "a number of buffers", &out.buffers},
      {"socket_buffer_bytes", 65536, 1 << 30, "bytes", &out.socket_buffer_bytes},
      {"packet_size_bytes", 576, 65535, "bytes", &out.packet_size_bytes}};
  for (const auto& key : ints) {
    if (auto s = read_int(settings, path, key.key, key.low, key.high, key.meaning, *key.target); !s) return s;
  }
  if ((out.width_px == 0) != (out.height_px == 0)) {
    return bad(path, out.width_px == 0 ? "width_px" : "height_px",
               "give both width_px and height_px, or neither (the whole sensor)");
  }
  if (out.width_px == 0 && (out.offset_x_px != 0 || out.offset_y_px != 0)) {
    return bad(path, "offset_x_px", "an offset needs a region: give width_px and height_px too");
  }
  if (settings.contains("pixel_size_um")) {
    const auto& value = settings.at("pixel_size_um");
    if (!value.is_number() || value.get<double>() <= 0.0) {
      return bad(path, "pixel_size_um",
                 "must be a positive number (micrometres per unbinned sensor pixel at the sample)");
    }
    out.pixel_size_um = value.get<double>();
  }
  if (settings.contains("trigger")) {
    const auto& value = settings.at("trigger");
    std::string text = value.is_string() ? value.get<std::string>() : "";
    if (text == "software") {
      out.trigger = GenicamTrigger::software;
    } else if (text == "hardware") {
      out.trigger = GenicamTrigger::hardware;
    } else if (text == "free_run") {
      out.trigger = GenicamTrigger::free_run;
    } else {
      return bad(path, "trigger", "must be \"software\", \"hardware\" or \"free_run\"");
    }
  }
  if (out.trigger != GenicamTrigger::hardware &&
      (settings.contains("trigger_source") || settings.contains("trigger_activation"))) {
    return bad(path, settings.contains("trigger_source") ? "trigger_source" : "trigger_activation",
               "applies only with trigger = \"hardware\"");
  }
  if (settings.contains("gain_unit")) {
    const auto& value = settings.at("gain_unit");
    std::string text = value.is_string() ? value.get<std::string>() : "";
    if (text != "dB" && text != "factor") return bad(path, "gain_unit", "must be \"dB\" or \"factor\"");
    out.gain_in_db = text == "dB";
  }
  if (settings.contains("monochrome")) {
    if (!settings.at("monochrome").is_boolean()) return bad(path, "monochrome", "must be true or false");
    out.monochrome = settings.at("monochrome").get<bool>();
  }
  return out;
}

Result<GenicamImagerSettings> GenicamImagerSettings::from_json(const nlohmann::json& settings,
                                                               const std::string& path) {
  if (!settings.is_object()) return Status{StatusCode::invalid_argument, path + ": must be a table"};
  static const std::array known = {"camera", "stage", "plate_origin_mm", "stage_y_inverted",
                                   "focus_z_um", "home_on_connect"};
  for (const auto& [key, value] : settings.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      return bad(path, key, "unknown setting of the genicam imager");
    }
  }
  GenicamImagerSettings out;
  if (!settings.contains("camera")) {
    return bad(path, "camera", "is required: {serial = \"...\", pixel_size_um = ...} ({} = the first camera found)");
  }
  auto camera = GenicamCameraSettings::from_json(settings.at("camera"), path + ".camera");
  if (!camera) return camera.status();
  out.camera = std::move(camera).value();
  if (settings.contains("stage") && !settings.at("stage").is_null()) {
    if (!settings.at("stage").is_object()) return bad(path, "stage", "must be a table");
    out.stage = settings.at("stage");
    if (!settings.contains("plate_origin_mm")) {
      return bad(path, "plate_origin_mm",
                 "is required with a stage: the stage position [x, y] in mm of the plate's top-left corner");
    }
  }
  if (settings.contains("plate_origin_mm")) {
    const auto& origin = settings.at("plate_origin_mm");
    if (!origin.is_array() || origin.size() != 2 || !origin[0].is_number() || !origin[1].is_number()) {
      return bad(path, "plate_origin_mm", "must be [x_mm, y_mm]");
    }
    out.placement.origin_x_mm = origin[0].get<double>();
    out.placement.origin_y_mm = origin[1].get<double>();
  }
  for (auto [key, target] : {std::pair{"stage_y_inverted", &out.placement.y_inverted},
                             {"home_on_connect", &out.home_on_connect}}) {
    if (!settings.contains(key)) continue;
    if (!settings.at(key).is_boolean()) return bad(path, key, "must be true or false");
    *target = settings.at(key).get<bool>();
  }
  if (settings.contains("focus_z_um")) {
    if (!settings.at("focus_z_um").is_number()) return bad(path, "focus_z_um", "must be a number");
    out.focus_z_um = settings.at("focus_z_um").get<double>();
  }
  return out;
}

}  // namespace assay::drivers

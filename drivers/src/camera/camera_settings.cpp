#include "assay/drivers/camera/camera_settings.hpp"

#include <algorithm>

namespace assay::drivers {
namespace {

Status bad(const std::string& path, const std::string& key, const std::string& message) {
  return {StatusCode::invalid_argument, path + "." + key + ": " + message};
}

}  // namespace

Result<CameraSettings> CameraSettings::from_json(const nlohmann::json& settings,
                                                 const std::string& path) {
  if (!settings.is_object()) return Status{StatusCode::invalid_argument, path + ": must be a table"};
  static const char* known[] = {"device", "file", "width_px", "height_px", "pixel_format",
                                "pixel_size_um", "grab_timeout_ms", "frames_to_discard",
                                "monochrome", "gain"};
  for (const auto& [key, value] : settings.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      return bad(path, key, "unknown camera setting");
    }
  }
  CameraSettings out;
  bool has_device = settings.contains("device");
  bool has_file = settings.contains("file");
  if (has_device == has_file) {
    return Status{StatusCode::invalid_argument,
                  path + ": give exactly one of device (\"/dev/video0\" or an index) or file (a "
                         "recorded stand-in source)"};
  }
  if (has_device) {
    const auto& device = settings.at("device");
    if (device.is_number_integer() && device.get<int>() >= 0) {
      out.device = "/dev/video" + std::to_string(device.get<int>());
    } else if (device.is_string() && !device.get<std::string>().empty()) {
      out.device = device.get<std::string>();
    } else {
      return bad(path, "device", "must be a device path like \"/dev/video0\" or an index >= 0");
    }
  } else {
    if (!settings.at("file").is_string() || settings.at("file").get<std::string>().empty()) {
      return bad(path, "file", "must be the path of a video file or an image-sequence pattern");
    }
    out.file = settings.at("file").get<std::string>();
  }
  for (auto [key, target] : {std::pair{"width_px", &out.width_px}, {"height_px", &out.height_px}}) {
    if (!settings.contains(key)) continue;
    const auto& value = settings.at(key);
    if (!value.is_number_integer() || value.get<int>() < 1 || value.get<int>() > 20000) {
      return bad(path, key, "must be a whole number of pixels from 1 to 20000");
    }
    *target = value.get<int>();
  }
  if ((out.width_px == 0) != (out.height_px == 0)) {
    return bad(path, out.width_px == 0 ? "width_px" : "height_px",
               "give both width_px and height_px, or neither");
  }
  if (settings.contains("pixel_format")) {
    const auto& value = settings.at("pixel_format");
    if (!value.is_string() || value.get<std::string>().size() != 4) {
      return bad(path, "pixel_format", "must be a four-character code such as \"MJPG\" or \"YUYV\"");
    }
    out.pixel_format = value.get<std::string>();
  }
  if (settings.contains("pixel_size_um")) {
    const auto& value = settings.at("pixel_size_um");
    if (!value.is_number() || value.get<double>() <= 0.0) {
      return bad(path, "pixel_size_um", "must be a positive number (micrometres per pixel at the sample)");
    }
    out.pixel_size_um = value.get<double>();
  }
  if (settings.contains("grab_timeout_ms")) {
    const auto& value = settings.at("grab_timeout_ms");
    if (!value.is_number_integer() || value.get<int>() < 10 || value.get<int>() > 600000) {
      return bad(path, "grab_timeout_ms", "must be a whole number of milliseconds from 10 to 600000");
    }
    out.grab_timeout_ms = value.get<int>();
  }
  if (settings.contains("frames_to_discard")) {
    const auto& value = settings.at("frames_to_discard");
    if (!value.is_number_integer() || value.get<int>() < 0 || value.get<int>() > 30) {
      return bad(path, "frames_to_discard", "must be a whole number from 0 to 30");
    }
    out.frames_to_discard = value.get<int>();
  }
  if (settings.contains("monochrome")) {
    if (!settings.at("monochrome").is_boolean()) return bad(path, "monochrome", "must be true or false");
    out.monochrome = settings.at("monochrome").get<bool>();
  }
  if (settings.contains("gain")) {
    const auto& gain = settings.at("gain");
    if (!gain.is_object() || !gain.contains("raw_at_unity") || !gain.contains("raw_per_unit") ||
        !gain.at("raw_at_unity").is_number_integer() || !gain.at("raw_per_unit").is_number() ||
        gain.at("raw_per_unit").get<double>() <= 0.0) {
      return bad(path, "gain",
                 "must be {raw_at_unity = <V4L2 gain value for gain 1.0>, raw_per_unit = <raw "
                 "steps per extra 1.0 of gain, > 0>}");
    }
    out.gain = CameraGainMap{gain.at("raw_at_unity").get<int>(), gain.at("raw_per_unit").get<double>()};
  }
  return out;
}

}  // namespace assay::drivers

#include <algorithm>

#include "assay/drivers/camera/camera_imager.hpp"

namespace assay::drivers {

Result<CameraImagerSettings> CameraImagerSettings::from_json(const nlohmann::json& settings,
                                                             const std::string& path) {
  auto bad = [&](const std::string& key, const std::string& message) {
    return Status{StatusCode::invalid_argument, path + "." + key + ": " + message};
  };
  if (!settings.is_object()) return Status{StatusCode::invalid_argument, path + ": must be a table"};
  static const char* known[] = {"camera", "stage", "plate_origin_mm", "stage_y_inverted",
                                "focus_z_um", "home_on_connect"};
  for (const auto& [key, value] : settings.items()) {
    if (std::find(std::begin(known), std::end(known), key) == std::end(known)) {
      return bad(key, "unknown setting of camera-imager");
    }
  }
  CameraImagerSettings out;
  if (!settings.contains("camera")) {
    return bad("camera", "is required: {device = \"/dev/video0\", pixel_size_um = ...}");
  }
  auto camera = CameraSettings::from_json(settings.at("camera"), path + ".camera");
  if (!camera) return camera.status();
  out.camera = std::move(camera).value();
  if (settings.contains("stage") && !settings.at("stage").is_null()) {
    if (!settings.at("stage").is_object()) return bad("stage", "must be a table");
    out.stage = settings.at("stage");
    if (!settings.contains("plate_origin_mm")) {
      return bad("plate_origin_mm",
                 "is required with a stage: the stage position [x, y] in mm of the plate's "
                 "top-left corner");
    }
  }
  if (settings.contains("plate_origin_mm")) {
    const auto& origin = settings.at("plate_origin_mm");
    if (!origin.is_array() || origin.size() != 2 || !origin[0].is_number() || !origin[1].is_number()) {
      return bad("plate_origin_mm", "must be [x_mm, y_mm]");
    }
    out.plate_origin_x_mm = origin[0].get<double>();
    out.plate_origin_y_mm = origin[1].get<double>();
  }
  for (auto [key, target] : {std::pair{"stage_y_inverted", &out.stage_y_inverted},
                             {"home_on_connect", &out.home_on_connect}}) {
    if (!settings.contains(key)) continue;
    if (!settings.at(key).is_boolean()) return bad(key, "must be true or false");
    *target = settings.at(key).get<bool>();
  }
  if (settings.contains("focus_z_um")) {
    if (!settings.at("focus_z_um").is_number()) return bad("focus_z_um", "must be a number");
    out.focus_z_um = settings.at("focus_z_um").get<double>();
  }
  return out;
}

}  // namespace assay::drivers

// Settings of a UVC/V4L2 camera (or a recorded stand-in source) from the instrument config.
//
// Exactly one source: `device` (a V4L2 node such as "/dev/video0" or a stable
// "/dev/v4l/by-id/..." link, or a bare index N meaning /dev/videoN) or `file` (a video file or an
// image-sequence pattern such as "frames/field_%03d.png", read through OpenCV as a stand-in when
// no camera is attached; exposure and gain cannot be applied to it and are reported as such).
// from_json() names the key at fault under the given path. Value type.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "assay/drivers/status.hpp"

namespace assay::drivers {

struct CameraGainMap {
  // Raw V4L2 gain control value giving the request's gain 1.0, and raw units per extra 1.0.
  int raw_at_unity = 0;
  double raw_per_unit = 0.0;
};

struct CameraSettings {
  std::string device;              // V4L2 device node; empty when `file` is used
  std::string file;                // stand-in source; empty when `device` is used
  int width_px = 0;                // 0 = the device's current size
  int height_px = 0;
  std::string pixel_format;        // FOURCC: "MJPG", "YUYV", "GREY"; empty = the device's current
  double pixel_size_um = 10.0;     // one pixel at the sample plane (sensor pitch / magnification)
  int grab_timeout_ms = 2000;      // one frame must arrive within this
  int frames_to_discard = 2;       // after an exposure or gain change (frames already queued)
  bool monochrome = false;         // deliver grey frames
  std::optional<CameraGainMap> gain;  // without it only gain 1.0 (the device's setting) is accepted

  bool is_file() const { return !file.empty(); }
  // "/dev/video0" or the file, for messages.
  const std::string& source() const { return is_file() ? file : device; }

  static Result<CameraSettings> from_json(const nlohmann::json& settings, const std::string& path);
};

}  // namespace assay::drivers

// Opens a V4L2 camera or a stand-in file through OpenCV videoio and wraps it as a FrameSource
// delivering 8-bit BGR (or grey) frames.
#pragma once

#include <opencv2/core.hpp>

#include "assay/drivers/camera/camera_settings.hpp"
#include "assay/drivers/camera/frame_grabber.hpp"

namespace assay::drivers {

struct OpenedSource {
  FrameSource source;
  cv::Size frame_size;
  std::string backend;  // "V4L2", "FFMPEG", "CV_IMAGES", ...
};

// Applies pixel format and size (and checks the device took them) for a device.
Result<OpenedSource> open_opencv_source(const CameraSettings& settings);

}  // namespace assay::drivers

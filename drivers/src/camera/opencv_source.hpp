// Opens a V4L2 camera or a stand-in file through OpenCV videoio and wraps it as a FrameSource
// delivering 8-bit BGR (or grey) frames.
//
// OpenCV videoio pulls in FFmpeg, GStreamer and about 240 shared libraries (some 60 MB of
// resident memory), so it is not linked into assayd or assayctl: the code that uses it is a
// module of its own (drivers/modules/camera_videoio), loaded with dlopen the first time a
// camera is opened, that is only when a configured instrument uses the camera-imager driver.
// The module is never unloaded (the frame sources it returns run its code).
#pragma once

#include <string>

#include <opencv2/core.hpp>

#include "assay/drivers/camera/camera_settings.hpp"
#include "assay/drivers/camera/frame_grabber.hpp"

namespace assay::drivers {

struct OpenedSource {
  FrameSource source;
  cv::Size frame_size;
  std::string backend;  // "V4L2", "FFMPEG", "CV_IMAGES", ...
};

// Applies pixel format and size (and checks the device took them) for a device. Loads the
// module on first use (thread-safe); a module that cannot be loaded is a failed Status naming
// the file and what to do.
Result<OpenedSource> open_opencv_source(const CameraSettings& settings);

// The module's side of the contract. The module is built from the same tree as assayd, so C++
// types may cross; `interface` guards against a module left over from another build.
inline constexpr const char* kCameraVideoioInterface = "assayd-camera-videoio-1";
inline constexpr const char* kCameraVideoioEntry = "assay_camera_videoio_module";

struct CameraVideoioModule {
  const char* interface;  // kCameraVideoioInterface of the module's build
  Result<OpenedSource> (*open)(const CameraSettings& settings);
};

}  // namespace assay::drivers

// Exported by the module (C linkage, so that dlsym finds it by this name).
extern "C" const assay::drivers::CameraVideoioModule* assay_camera_videoio_module();

// The camera-imager driver's OpenCV videoio code, built as a module of its own; see
// drivers/src/camera/opencv_source.hpp for why.
#include "camera/opencv_source.hpp"

#include <memory>

#include <opencv2/imgproc.hpp>
#include <opencv2/videoio.hpp>

namespace assay::drivers {
namespace {

// 8-bit BGR or grey, whatever the source delivered.
cv::Mat normalise_frame(const cv::Mat& frame, bool monochrome) {
  cv::Mat out = frame;
  if (out.depth() == CV_16U) {
    out.convertTo(out, CV_8U, 1.0 / 256.0);
  } else if (out.depth() != CV_8U) {
    cv::normalize(out, out, 0, 255, cv::NORM_MINMAX, CV_8U);
  }
  if (out.channels() == 4) cv::cvtColor(out, out, cv::COLOR_BGRA2BGR);
  if (monochrome && out.channels() == 3) cv::cvtColor(out, out, cv::COLOR_BGR2GRAY);
  return out;
}

Result<OpenedSource> open_with_videoio(const CameraSettings& settings) {
  auto capture = std::make_shared<cv::VideoCapture>();
  const std::string& source = settings.source();
  try {
    if (settings.is_file()) {
      // A printf-style pattern is an image sequence: read it with OpenCV's own image reader.
      bool sequence = source.find('%') != std::string::npos;
      capture->open(source, sequence ? cv::CAP_IMAGES : cv::CAP_ANY);
    } else {
      capture->open(source, cv::CAP_V4L2);
    }
  } catch (const cv::Exception& e) {
    return Status{StatusCode::io_error, "OpenCV could not open " + source + ": " + e.what()};
  }
  if (!capture->isOpened()) {
    if (settings.is_file()) {
      return Status{StatusCode::not_found,
                    "stand-in source " + source + " cannot be read (missing file, or a format "
                    "this OpenCV build cannot decode)"};
    }
    return Status{StatusCode::busy, "OpenCV could not start capture on " + source +
                                        "; is another program using the camera?"};
  }
  if (!settings.is_file()) {
    if (!settings.pixel_format.empty()) {
      const auto& f = settings.pixel_format;
      capture->set(cv::CAP_PROP_FOURCC, cv::VideoWriter::fourcc(f[0], f[1], f[2], f[3]));
    }
    if (settings.width_px > 0) {
      capture->set(cv::CAP_PROP_FRAME_WIDTH, settings.width_px);
      capture->set(cv::CAP_PROP_FRAME_HEIGHT, settings.height_px);
    }
  }
  cv::Size size(static_cast<int>(capture->get(cv::CAP_PROP_FRAME_WIDTH)),
                static_cast<int>(capture->get(cv::CAP_PROP_FRAME_HEIGHT)));
  if (!settings.is_file() && settings.width_px > 0 &&
      (size.width != settings.width_px || size.height != settings.height_px)) {
    return Status{StatusCode::invalid_argument,
                  "camera " + source + " delivers " + std::to_string(size.width) + "x" +
                      std::to_string(size.height) + ", not the configured " +
                      std::to_string(settings.width_px) + "x" + std::to_string(settings.height_px) +
                      "; set camera.width_px/height_px to a size it supports (v4l2-ctl "
                      "--list-formats-ext)"};
  }
  OpenedSource opened;
  opened.frame_size = size;
  opened.backend = capture->getBackendName();
  bool monochrome = settings.monochrome;
  opened.source = [capture, monochrome, source]() -> Result<cv::Mat> {
    cv::Mat frame;
    if (!capture->read(frame) || frame.empty()) {
      return Status{StatusCode::io_error,
                    source + " delivered no frame (the camera stopped streaming, or the stand-in "
                             "file has no more frames)"};
    }
    return normalise_frame(frame, monochrome);
  };
  return opened;
}

}  // namespace
}  // namespace assay::drivers

extern "C" __attribute__((visibility("default"))) const assay::drivers::CameraVideoioModule*
assay_camera_videoio_module() {
  static const assay::drivers::CameraVideoioModule module = {
      assay::drivers::kCameraVideoioInterface, assay::drivers::open_with_videoio};
  return &module;
}

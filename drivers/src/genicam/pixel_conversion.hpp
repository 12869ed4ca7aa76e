// The GenICam pixel formats the genicam imager accepts, and the conversion of one frame's bytes
// into the 8-bit BGR (colour) or grey frame every imager delivers.
//
// convert_frame() reads a view of the camera's buffer (a cv::Mat header over memory it does not
// own) and writes a new frame: this is the one copy a frame gets between the network and the job.
// Mono12/Mono16 (and Bayer 12/16) are unpacked, little-endian, one pixel per 16-bit word; they
// keep their top 8 bits. Bayer names follow GenICam (the colour of the top-left pixel first).
// Pure functions.
#pragma once

#include <optional>
#include <string>

#include <opencv2/core.hpp>

namespace assay::drivers {

struct PixelLayout {
  std::string name;       // GenICam PixelFormat name, "Mono12"
  int significant_bits;   // 8, 12 or 16
  int raw_type;           // OpenCV type of the raw view: CV_8UC1, CV_16UC1 or CV_8UC3
  int demosaic_code = -1; // cv::COLOR_Bayer..2BGR for Bayer formats, -1 otherwise
  bool rgb = false;       // packed RGB, red first

  int bytes_per_pixel() const;
};

std::optional<PixelLayout> parse_pixel_layout(const std::string& name);
// "Mono8, Mono12, ..." for messages.
std::string supported_pixel_formats();

// A new 8-bit frame (grey for Mono, BGR for colour; grey for everything when `monochrome`).
cv::Mat convert_frame(const cv::Mat& raw, const PixelLayout& layout, bool monochrome);

}  // namespace assay::drivers

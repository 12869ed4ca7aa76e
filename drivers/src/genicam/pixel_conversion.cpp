#include "pixel_conversion.hpp"

#include <array>

#include <opencv2/imgproc.hpp>

namespace assay::drivers {
namespace {

// OpenCV names a Bayer pattern by the 2x2 block at (1, 1), GenICam by the block at (0, 0): the
// same mosaic is "RG" to a camera and "BG" to OpenCV.
const std::array kLayouts = {
    PixelLayout{"Mono8", 8, CV_8UC1},
    PixelLayout{"Mono12", 12, CV_16UC1},
    PixelLayout{"Mono16", 16, CV_16UC1},
    PixelLayout{"BayerRG8", 8, CV_8UC1, cv::COLOR_BayerBG2BGR},
    PixelLayout{"BayerGB8", 8, CV_8UC1, cv::COLOR_BayerGR2BGR},
    PixelLayout{"BayerGR8", 8, CV_8UC1, cv::COLOR_BayerGB2BGR},
    PixelLayout{"BayerBG8", 8, CV_8UC1, cv::COLOR_BayerRG2BGR},
    PixelLayout{"BayerRG12", 12, CV_16UC1, cv::COLOR_BayerBG2BGR},
    PixelLayout{"BayerGB12", 12, CV_16UC1, cv::COLOR_BayerGR2BGR},
    PixelLayout{"BayerGR12", 12, CV_16UC1, cv::COLOR_BayerGB2BGR},
    PixelLayout{"BayerBG12", 12, CV_16UC1, cv::COLOR_BayerRG2BGR},
    PixelLayout{"BayerRG16", 16, CV_16UC1, cv::COLOR_BayerBG2BGR},
    PixelLayout{"BayerGB16", 16, CV_16UC1, cv::COLOR_BayerGR2BGR},
    PixelLayout{"BayerGR16", 16, CV_16UC1, cv::COLOR_BayerGB2BGR},
    PixelLayout{"BayerBG16", 16, CV_16UC1, cv::COLOR_BayerRG2BGR},
    PixelLayout{"RGB8", 8, CV_8UC3, -1, true},
};

}  // namespace

int PixelLayout::bytes_per_pixel() const { return static_cast<int>(CV_ELEM_SIZE(raw_type)); }

std::optional<PixelLayout> parse_pixel_layout(const std::string& name) {
  for (const auto& layout : kLayouts) {
    if (layout.name == name) return layout;
  }
  return std::nullopt;
}

std::string supported_pixel_formats() {
  std::string out;
  for (const auto& layout : kLayouts) out += (out.empty() ? "" : ", ") + layout.name;
  return out;
}

cv::Mat convert_frame(const cv::Mat& raw, const PixelLayout& layout, bool monochrome) {
  cv::Mat out;
  if (layout.raw_type == CV_16UC1) {
    // Scale first, so that demosaicing (when needed) runs on 8 bits and writes the output once more.
    cv::Mat scaled;
    raw.convertTo(layout.demosaic_code < 0 ? out : scaled, CV_8U, 1.0 / (1 << (layout.significant_bits - 8)));
    if (layout.demosaic_code < 0) return out;
    cv::cvtColor(scaled, out, layout.demosaic_code);
  } else if (layout.demosaic_code >= 0) {
    cv::cvtColor(raw, out, layout.demosaic_code);
  } else if (layout.rgb) {
    cv::cvtColor(raw, out, monochrome ? cv::COLOR_RGB2GRAY : cv::COLOR_RGB2BGR);
    return out;
  } else {
    out = raw.clone();
    return out;
  }
  if (monochrome) cv::cvtColor(out, out, cv::COLOR_BGR2GRAY);
  return out;
}

}  // namespace assay::drivers

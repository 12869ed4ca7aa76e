#include "imaging/image_prep.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {

cv::Mat to_bgr8(const cv::Mat& image, std::vector<std::string>& notes) {
  if (image.empty()) throw std::invalid_argument("the image is empty (0 pixels)");
  cv::Mat work = image;
  if (work.depth() != CV_8U) {
    double lo = 0.0, hi = 0.0;
    cv::minMaxLoc(work.reshape(1), &lo, &hi);
    if (hi <= lo) hi = lo + 1.0;
    work.convertTo(work, CV_8U, 255.0 / (hi - lo), -lo * 255.0 / (hi - lo));
    notes.push_back("non-8-bit input scaled to 8 bits by its own range");
  }
  cv::Mat bgr;
  switch (work.channels()) {
    case 1:
      cv::cvtColor(work, bgr, cv::COLOR_GRAY2BGR);
      notes.push_back("grey input: colour tests disabled");
      break;
    case 3: bgr = work; break;
    case 4: cv::cvtColor(work, bgr, cv::COLOR_BGRA2BGR); break;
    default:
      throw std::invalid_argument("unsupported image with " + std::to_string(work.channels()) +
                                  " channels (expected grey, BGR or BGRA)");
  }
  return bgr;
}

cv::Mat disk_kernel(int radius_px) {
  const int r = std::max(0, radius_px);
  return cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * r + 1, 2 * r + 1));
}

double robust_noise_sigma(const cv::Mat& image_f32, const cv::Mat& mask) {
  cv::Mat smooth, diff;
  cv::blur(image_f32, smooth, cv::Size(3, 3));
  cv::absdiff(image_f32, smooth, diff);
  std::vector<float> values;
  values.reserve(static_cast<std::size_t>(cv::countNonZero(mask)) / 4 + 1);
  // Subsample: the noise estimate needs thousands of pixels, not millions.
  for (int y = 0; y < diff.rows; y += 2) {
    const float* d = diff.ptr<float>(y);
    const unsigned char* m = mask.ptr<unsigned char>(y);
    for (int x = 0; x < diff.cols; x += 2)
      if (m[x]) values.push_back(d[x]);
  }
  if (values.empty()) return 0.0;
  auto mid = values.begin() + static_cast<long>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  // |x - mean of 3x3| of white noise has sigma*sqrt(8/9); MAD->sigma factor 1.4826.
  return 1.4826 * (*mid) / std::sqrt(8.0 / 9.0);
}

}  // namespace assay::protocols::imaging

#include "imaging/colony_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {
namespace {

double pixel_redness(const cv::Vec3b& p) {
  return (p[2] + 1.0) / (0.5 * (p[0] + p[1]) + 1.0);
}

// True when `value` lies within `margin` (relative) of `limit`: too close to call.
bool near(double value, double limit, double margin) {
  return std::abs(value - limit) <= margin * std::max(std::abs(limit), 1e-9);
}

}  // namespace

ColonyClassifier::ColonyClassifier(const ColonyClassRules& rules, const cv::Mat& bgr,
                                   const cv::Mat& dish_mask)
    : rules_(rules), bgr_(bgr) {
  if (!rules_.enabled) return;
  std::vector<double> r;
  for (int y = 0; y < bgr.rows; y += 8)
    for (int x = 0; x < bgr.cols; x += 8)
      if (dish_mask.at<unsigned char>(y, x)) r.push_back(pixel_redness(bgr.at<cv::Vec3b>(y, x)));
  if (!r.empty()) {
    std::nth_element(r.begin(), r.begin() + static_cast<long>(r.size() / 2), r.end());
    medium_redness_ = std::max(0.05, r[r.size() / 2]);
  }
}

void ColonyClassifier::measure(Colony& c, const cv::Mat& signal, cv::Point origin) const {
  const cv::Rect box = cv::boundingRect(c.outline) & cv::Rect(0, 0, bgr_.cols, bgr_.rows);
  if (box.area() == 0) return;
  cv::Mat mine(box.size(), CV_8U, cv::Scalar(0));
  std::vector<std::vector<cv::Point>> polys{c.outline};
  cv::fillPoly(mine, polys, cv::Scalar(255), cv::LINE_8, 0, -box.tl());
  c.mean_bgr = cv::mean(bgr_(box), mine);
  const cv::Rect sbox = (box - origin) & cv::Rect(0, 0, signal.cols, signal.rows);
  if (sbox.size() == box.size()) {
    c.contrast = cv::mean(signal(sbox), mine)[0];
    cv::minMaxLoc(signal(sbox), nullptr, &c.peak_contrast, nullptr, nullptr, mine);
  }
  if (!rules_.enabled) {
    c.cls = ColonyClass::colony;
    return;
  }
  int red = 0, total = 0;
  for (int y = 0; y < box.height; ++y)
    for (int x = 0; x < box.width; ++x) {
      if (!mine.at<unsigned char>(y, x)) continue;
      ++total;
      if (pixel_redness(bgr_(box).at<cv::Vec3b>(y, x)) / medium_redness_ > rules_.red_pixel_redness) ++red;
    }
  c.red_fraction = total ? static_cast<double>(red) / total : 0.0;
  c.cls = classify(c);
}

ColonyClass ColonyClassifier::classify(const Colony& c) const {
  if (!rules_.enabled) return ColonyClass::colony;
  const ColonyClassRules& r = rules_;
  const double m = r.margin;
  const double f = c.red_fraction, d = c.diameter_um;
  if (d >= r.gemm_min_diameter_um && f >= r.gemm_min_red_fraction && f <= r.gemm_max_red_fraction) {
    if (near(d, r.gemm_min_diameter_um, m) || near(f, r.gemm_min_red_fraction, m) ||
        near(f, r.gemm_max_red_fraction, m))
      return ColonyClass::unknown;
    return ColonyClass::cfu_gemm;
  }
  if (f >= r.bfu_e_min_red_fraction && d >= r.bfu_e_min_diameter_um) {
    if (near(f, r.bfu_e_min_red_fraction, m) || near(d, r.bfu_e_min_diameter_um, m))
      return ColonyClass::unknown;
    return ColonyClass::bfu_e;
  }
  if (f <= r.gm_max_red_fraction && c.solidity >= r.gm_min_solidity) {
    if (near(f, r.gm_max_red_fraction, m) || near(c.solidity, r.gm_min_solidity, m))
      return ColonyClass::unknown;
    return ColonyClass::cfu_gm;
  }
  return ColonyClass::unknown;
}

}  // namespace assay::protocols::imaging

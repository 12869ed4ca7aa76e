#include "imaging/colony_shape.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {

double BlobShape::equivalent_radius_px() const { return std::sqrt(area_px / std::numbers::pi); }

double BlobShape::compactness() const {
  const double r = equivalent_radius_px();
  return r > 0.0 ? inscribed_radius_px / r : 0.0;
}

double elongation_of(const std::vector<cv::Point>& outline) {
  if (outline.size() < 5) return 1.0;
  const cv::Moments m = cv::moments(outline);
  if (m.m00 <= 0.0) return 1.0;
  const double a = m.mu20 / m.m00, b = m.mu11 / m.m00, c = m.mu02 / m.m00;
  const double root = std::sqrt(std::max(0.0, 4.0 * b * b + (a - c) * (a - c)));
  const double major = 0.5 * (a + c + root), minor = 0.5 * (a + c - root);
  return minor > 1e-9 ? std::sqrt(major / minor) : 1e9;
}

void fill_holes(cv::Mat& blob) {
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(blob.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
  cv::drawContours(blob, contours, -1, cv::Scalar(255), cv::FILLED);
}

void fill_small_holes(cv::Mat& blob, double max_hole_area_px) {
  std::vector<std::vector<cv::Point>> contours;
  std::vector<cv::Vec4i> hierarchy;
  cv::findContours(blob.clone(), contours, hierarchy, cv::RETR_CCOMP, cv::CHAIN_APPROX_SIMPLE);
  for (std::size_t i = 0; i < contours.size(); ++i) {
    const bool is_hole = hierarchy[i][3] >= 0;
    if (is_hole && cv::contourArea(contours[i]) <= max_hole_area_px)
      cv::drawContours(blob, contours, static_cast<int>(i), cv::Scalar(255), cv::FILLED);
  }
}

BlobShape shape_of(const cv::Mat& mask) {
  BlobShape s;
  s.area_px = cv::countNonZero(mask);
  if (s.area_px == 0) return s;
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(mask.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  if (contours.empty()) return s;
  s.outline = *std::max_element(contours.begin(), contours.end(), [](const auto& a, const auto& b) {
    return a.size() < b.size();
  });
  std::vector<cv::Point> hull;
  cv::convexHull(s.outline, hull);
  // Pixel areas: a contour through pixel centres misses half a pixel along its length.
  const double hull_area = cv::contourArea(hull) + 0.5 * cv::arcLength(hull, true) + 1.0;
  s.solidity = std::min(1.0, s.area_px / hull_area);
  s.elongation = elongation_of(s.outline);
  cv::Mat padded, dist;
  cv::copyMakeBorder(mask, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::distanceTransform(padded, dist, cv::DIST_L2, 3);
  cv::minMaxLoc(dist, nullptr, &s.inscribed_radius_px);
  return s;
}

}  // namespace assay::protocols::imaging

#include "imaging/shoulder_split.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "imaging/colony_shape.hpp"
#include "imaging/image_prep.hpp"

namespace assay::protocols::imaging {
namespace {

// The connected piece of `above` that holds the part's highest point.
cv::Mat piece_at(const cv::Mat& above, cv::Point at) {
  cv::Mat labels;
  cv::connectedComponents(above, labels, 8, CV_32S);
  return labels == labels.at<int>(at);
}

}  // namespace

Shoulders find_shoulders(const cv::Mat& signal, const cv::Mat& mask, const ShoulderParams& p) {
  Shoulders out;
  double base = 0.0, peak = 0.0;
  cv::Point top;
  cv::minMaxLoc(signal, &base, &peak, nullptr, &top, mask);
  if (peak <= base) return out;
  cv::Mat above = (signal > base + 0.5 * (peak - base)) & mask;
  const cv::Mat core = piece_at(above, top);
  // Distance of every pixel from the core; the flank width is its median on the part's outline.
  cv::Mat outside_core = ~core, from_core;
  cv::distanceTransform(outside_core, from_core, cv::DIST_L2, 5);
  cv::Mat eroded;
  cv::erode(mask, eroded, cv::Mat(), {-1, -1}, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  const cv::Mat edge = mask & ~eroded;
  std::vector<float> widths;
  for (int y = 0; y < edge.rows; ++y)
    for (int x = 0; x < edge.cols; ++x)
      if (edge.at<unsigned char>(y, x)) widths.push_back(from_core.at<float>(y, x));
  if (widths.size() < 8) return out;
  auto mid = widths.begin() + static_cast<long>(widths.size() / 2);
  std::nth_element(widths.begin(), mid, widths.end());
  const double flank = std::max(1.0, static_cast<double>(*mid));
  const cv::Mat beyond = mask & (from_core > p.flank_margin * flank + 1.0);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(beyond, labels, stats, centroids, 8, CV_32S);
  cv::Mat rest = mask.clone();
  for (int i = 1; i < n; ++i) {
    if (stats.at<int>(i, cv::CC_STAT_AREA) < p.min_area_px) continue;
    // Grow the lump back over the part by the flank it lost to the margin, not into the core.
    // Only its own box, widened by the growth and a pixel of background, is drawn and measured:
    // a part holds many small pieces beyond the margin, and each at the part's size is what costs.
    const int grow = std::max(1, static_cast<int>(std::ceil(0.5 * flank)));
    const cv::Rect piece(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                         stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    const cv::Rect near = (piece - cv::Point(grow + 1, grow + 1) + cv::Size(2 * grow + 2, 2 * grow + 2)) &
                          cv::Rect(0, 0, mask.cols, mask.rows);
    cv::Mat near_lump = labels(near) == i;
    cv::dilate(near_lump, near_lump, disk_kernel(grow), {-1, -1}, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    near_lump &= mask(near) & ~core(near);
    const BlobShape shape = shape_of(near_lump);
    if (shape.area_px < p.min_area_px || shape.inscribed_radius_px < p.min_inscribed_px ||
        shape.compactness() < p.min_compactness)
      continue;
    cv::Mat lump(mask.size(), CV_8U, cv::Scalar(0));
    near_lump.copyTo(lump(near));
    rest &= ~lump;
    out.lumps.push_back(std::move(lump));
  }
  if (!out.lumps.empty()) out.core = rest;
  return out;
}

}  // namespace assay::protocols::imaging

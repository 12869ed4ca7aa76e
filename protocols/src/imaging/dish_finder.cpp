#include "imaging/dish_finder.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {

DishCircle whole_image_dish(cv::Size size) {
  DishCircle d;
  d.centre_px = {0.5 * size.width, 0.5 * size.height};
  d.radius_px = 0.5 * std::hypot(size.width, size.height);  // every pixel inside
  d.found = false;
  return d;
}

DishCircle find_dish(const cv::Mat& grey8, const DishSearch& s) {
  const double scale = std::min(1.0, s.work_size_px / static_cast<double>(std::max(grey8.cols, grey8.rows)));
  cv::Mat small;
  cv::resize(grey8, small, cv::Size(), scale, scale, cv::INTER_AREA);
  cv::GaussianBlur(small, small, cv::Size(0, 0), 1.5);
  const double short_side = std::min(small.cols, small.rows);
  const double long_side = std::max(small.cols, small.rows);
  const int min_r = static_cast<int>(s.min_radius_fraction * short_side);
  const int max_r = static_cast<int>(s.max_radius_fraction * long_side);
  const cv::Point2d image_centre(0.5 * small.cols, 0.5 * small.rows);

  // Lower the vote threshold step by step: faint rims still give a circle, strong ones win first.
  for (const double votes : {60.0, 40.0, 25.0}) {
    std::vector<cv::Vec3f> circles;
    cv::HoughCircles(small, circles, cv::HOUGH_GRADIENT, 1.0, short_side, 60.0, votes, min_r, max_r);
    for (const cv::Vec3f& c : circles) {
      const cv::Point2d centre(c[0], c[1]);
      if (cv::norm(centre - image_centre) > s.max_centre_offset_fraction * short_side) continue;
      DishCircle d;
      d.centre_px = centre / scale;
      d.radius_px = c[2] / scale;
      d.found = true;
      return d;
    }
  }
  return whole_image_dish(grey8.size());
}

}  // namespace assay::protocols::imaging

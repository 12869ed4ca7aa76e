#include "imaging/dish_finder.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {
namespace {

// Least-squares circle through points (Kasa's algebraic fit): centre x, y and radius.
cv::Vec3d fit_circle(const std::vector<cv::Point2d>& points) {
  cv::Mat a(static_cast<int>(points.size()), 3, CV_64F), b(static_cast<int>(points.size()), 1, CV_64F);
  for (int i = 0; i < a.rows; ++i) {
    const cv::Point2d& q = points[static_cast<std::size_t>(i)];
    a.at<double>(i, 0) = 2.0 * q.x;
    a.at<double>(i, 1) = 2.0 * q.y;
    a.at<double>(i, 2) = 1.0;
    b.at<double>(i, 0) = q.x * q.x + q.y * q.y;
  }
  cv::Mat c;
  cv::solve(a, b, c, cv::DECOMP_SVD);
  const double x = c.at<double>(0), y = c.at<double>(1);
  return {x, y, std::sqrt(std::max(0.0, c.at<double>(2) + x * x + y * y))};
}

// The Hough circle, found on a small copy, is a few pixels off at full size, which at the rim
// is the difference between counting a colony and cutting it. Along rays from its centre the
// strongest brightness step near its radius is the dish edge; a circle fitted to those edge
// points, dropping outliers (colonies, writing, glare on some rays), is the dish.
DishCircle refine_edge(const cv::Mat& grey8, DishCircle d, const DishSearch& s) {
  const double scale = std::min(1.0, s.refine_size_px / static_cast<double>(std::max(grey8.cols, grey8.rows)));
  cv::Mat g;
  cv::resize(grey8, g, cv::Size(), scale, scale, cv::INTER_AREA);
  g.convertTo(g, CV_32F);
  cv::GaussianBlur(g, g, cv::Size(0, 0), 1.5);
  const cv::Point2d c = d.centre_px * scale;
  const double r = d.radius_px * scale;
  const int steps = std::max(8, static_cast<int>((s.refine_band_high - s.refine_band_low) * r / 0.5));
  cv::Mat xs(s.refine_rays, steps, CV_32F), ys(s.refine_rays, steps, CV_32F);
  for (int i = 0; i < s.refine_rays; ++i) {
    const double angle = 2.0 * CV_PI * i / s.refine_rays;
    for (int j = 0; j < steps; ++j) {
      const double rr = r * (s.refine_band_low + (s.refine_band_high - s.refine_band_low) * j / (steps - 1));
      xs.at<float>(i, j) = static_cast<float>(c.x + rr * std::cos(angle));
      ys.at<float>(i, j) = static_cast<float>(c.y + rr * std::sin(angle));
    }
  }
  cv::Mat profiles;
  cv::remap(g, profiles, xs, ys, cv::INTER_LINEAR, cv::BORDER_REPLICATE);
  std::vector<cv::Point2d> edge;
  for (int i = 0; i < s.refine_rays; ++i) {
    const float* v = profiles.ptr<float>(i);
    float strongest = 0.0f;
    for (int j = 0; j + 1 < steps; ++j) strongest = std::max(strongest, std::abs(v[j + 1] - v[j]));
    // The outermost clear edge: the dish wall, not the lid's edge or the meniscus inside it.
    int outer = 0;
    for (int j = steps - 2; j >= 0; --j)
      if (std::abs(v[j + 1] - v[j]) >= s.refine_edge_fraction * strongest) {
        outer = j;
        break;
      }
    edge.emplace_back(xs.at<float>(i, outer), ys.at<float>(i, outer));
  }
  cv::Vec3d fit = fit_circle(edge);
  for (int round = 0; round < 4 && edge.size() >= 16; ++round) {
    std::vector<double> residual;
    for (const cv::Point2d& q : edge) residual.push_back(std::abs(cv::norm(q - cv::Point2d(fit[0], fit[1])) - fit[2]));
    std::vector<double> sorted = residual;
    std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2), sorted.end());
    const double limit = std::max(1.5, 2.5 * 1.4826 * sorted[sorted.size() / 2]);
    std::vector<cv::Point2d> kept;
    for (std::size_t i = 0; i < edge.size(); ++i)
      if (residual[i] <= limit) kept.push_back(edge[i]);
    if (kept.size() < 16) break;
    edge = std::move(kept);
    fit = fit_circle(edge);
  }
  // A fit that wandered far from the Hough circle found something else: keep the Hough circle.
  const cv::Point2d centre(fit[0] / scale, fit[1] / scale);
  if (cv::norm(centre - d.centre_px) > 0.1 * d.radius_px || std::abs(fit[2] / scale - d.radius_px) > 0.1 * d.radius_px)
    return d;
  d.centre_px = centre;
  d.radius_px = fit[2] / scale;
  return d;
}

// The image divided by its own heavy blur (a tenth of its short side), then stretched from its
// 1st to its 99th percentile over the full range: uneven light and a compressed exposure
// (a rim washed out by a bright light box) removed, edges kept.
cv::Mat flat_fielded(const cv::Mat& small8) {
  cv::Mat f, light;
  small8.convertTo(f, CV_32F);
  cv::GaussianBlur(f, light, cv::Size(0, 0), 0.1 * std::min(small8.cols, small8.rows));
  cv::max(light, 1.0, light);
  cv::divide(f, light, f);
  std::vector<float> values(f.begin<float>(), f.end<float>());
  const auto at = [&](double q) {
    const auto it = values.begin() + static_cast<long>(q * static_cast<double>(values.size() - 1));
    std::nth_element(values.begin(), it, values.end());
    return *it;
  };
  const float low = at(0.01), high = at(0.99);
  cv::Mat out;
  f.convertTo(out, CV_8U, 255.0 / std::max(1e-6f, high - low), -255.0 * low / std::max(1e-6f, high - low));
  return out;
}

}  // namespace

DishCircle whole_image_dish(cv::Size size) {
  DishCircle d;
  d.centre_px = {0.5 * size.width, 0.5 * size.height};
  d.radius_px = 0.5 * std::hypot(size.width, size.height);  // every pixel inside
  d.found = false;
  return d;
}

DishCircle find_dish(const cv::Mat& grey8, const DishSearch& s) {
  constexpr int kMaxRefinements = 4;
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
  // A rim darkened on one side (light falling off across the box, vignetting) or washed out by a
  // bright exposure is sought again once the light's own variation is divided out.
  for (const cv::Mat& view : {small, flat_fielded(small)}) {
    for (const double votes : {60.0, 40.0, 25.0}) {
      std::vector<cv::Vec3f> circles;
      cv::HoughCircles(view, circles, cv::HOUGH_GRADIENT, 1.0, short_side, 60.0, votes, min_r, max_r);
      for (const cv::Vec3f& c : circles) {
        const cv::Point2d centre(c[0], c[1]);
        if (cv::norm(centre - image_centre) > s.max_centre_offset_fraction * short_side) continue;
        DishCircle d;
        d.centre_px = centre / scale;
        d.radius_px = c[2] / scale;
        d.found = true;
        // A Hough circle off centre reaches the wall only on one side; each refinement moves
        // it closer, until the wall is in reach all round and the circle stays put.
        for (int round = 0; round < kMaxRefinements; ++round) {
          const DishCircle refined = refine_edge(grey8, d, s);
          const bool settled = cv::norm(refined.centre_px - d.centre_px) < 1.0 && std::abs(refined.radius_px - d.radius_px) < 1.0;
          d = refined;
          if (settled) break;
        }
        return d;
      }
    }
  }
  return whole_image_dish(grey8.size());
}

}  // namespace assay::protocols::imaging

#include "imaging/touching_split.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {
namespace {

struct Peak {
  cv::Point2d at;  // crop coordinates
  double radius = 0.0;
};

// Lowest distance value on the straight segment between two peaks (the neck joining them).
double ridge_minimum(const cv::Mat& dist, cv::Point2d a, cv::Point2d b) {
  const double length = cv::norm(b - a);
  const int steps = std::max(2, static_cast<int>(std::ceil(length * 2.0)));
  double lowest = std::numeric_limits<double>::max();
  for (int i = 0; i <= steps; ++i) {
    const cv::Point2d p = a + (b - a) * (static_cast<double>(i) / steps);
    const int x = std::clamp(static_cast<int>(std::lround(p.x)), 0, dist.cols - 1);
    const int y = std::clamp(static_cast<int>(std::lround(p.y)), 0, dist.rows - 1);
    lowest = std::min(lowest, static_cast<double>(dist.at<float>(y, x)));
  }
  return lowest;
}

std::vector<Peak> candidate_peaks(const cv::Mat& dist, double min_radius) {
  cv::Mat dilated;
  cv::dilate(dist, dilated, cv::Mat());
  cv::Mat is_peak = (dist >= dilated - 1e-3f) & (dist >= static_cast<float>(min_radius));
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(is_peak, labels, stats, centroids, 8, CV_32S);
  std::vector<Peak> peaks;
  peaks.reserve(static_cast<std::size_t>(std::max(0, n - 1)));
  for (int i = 1; i < n; ++i) {
    // A plateau is one peak; take its pixel nearest the plateau's centroid.
    const cv::Point2d c(centroids.at<double>(i, 0), centroids.at<double>(i, 1));
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP),
                       stats.at<int>(i, cv::CC_STAT_WIDTH), stats.at<int>(i, cv::CC_STAT_HEIGHT));
    cv::Point best(box.x, box.y);
    double best_d = std::numeric_limits<double>::max();
    for (int y = box.y; y < box.y + box.height; ++y)
      for (int x = box.x; x < box.x + box.width; ++x)
        if (labels.at<int>(y, x) == i) {
          const double d = std::hypot(x - c.x, y - c.y);
          if (d < best_d) best_d = d, best = {x, y};
        }
    peaks.push_back({cv::Point2d(best), dist.at<float>(best)});
  }
  std::sort(peaks.begin(), peaks.end(), [](const Peak& a, const Peak& b) { return a.radius > b.radius; });
  return peaks;
}

double value_at(const cv::Mat& f32, cv::Point2d p) {
  return f32.at<float>(static_cast<int>(std::lround(p.y)), static_cast<int>(std::lround(p.x)));
}

// Keeps the peaks that are distinct members, in the given order. `by_brightness`: peaks inside
// another member's inscribed disk may still be distinct when the brightness dips between them.
std::vector<Peak> distinct_members(const cv::Mat& dist, const std::vector<Peak>& peaks,
                                   const SplitParams& params, const cv::Mat& intensity,
                                   bool by_brightness, std::vector<Peak> members = {}) {
  for (const Peak& c : peaks) {
    bool same = false;
    for (const Peak& m : members) {
      const double gap = cv::norm(c.at - m.at);
      if (gap < params.min_radius_px || (!by_brightness && gap < m.radius)) {
        same = true;
        break;
      }
      if (ridge_minimum(dist, c.at, m.at) < params.neck_ratio * std::min(c.radius, m.radius)) continue;
      // No neck in the shape; a clear dip in brightness still separates two domes.
      if (!intensity.empty()) {
        const double dimmer = std::min(value_at(intensity, c.at), value_at(intensity, m.at));
        if (dimmer > 0.0 && ridge_minimum(intensity, c.at, m.at) < params.intensity_dip_ratio * dimmer) continue;
      }
      same = true;
      break;
    }
    if (!same) members.push_back(c);
    if (static_cast<int>(members.size()) > params.max_members) break;
  }
  return members;
}

}  // namespace

std::vector<BlobMember> split_touching(const cv::Mat& mask, cv::Point offset,
                                       const SplitParams& params, const cv::Mat& intensity) {
  std::vector<BlobMember> out;
  if (cv::countNonZero(mask) == 0) return out;
  cv::Mat dist;
  cv::distanceTransform(mask, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE);
  std::vector<Peak> candidates;
  if (params.intensity_seeds && !intensity.empty()) {
    cv::Mat masked = cv::Mat::zeros(intensity.size(), CV_32F);
    intensity.copyTo(masked, mask);
    std::vector<Peak> bright = candidate_peaks(masked, 0.0);
    for (Peak& b : bright) b.radius = value_at(dist, b.at);
    // Brightest first; a seed too close to the blob edge is a rim artefact, not a nucleus.
    std::erase_if(bright, [&](const Peak& b) { return b.radius < params.min_radius_px; });
    candidates = distinct_members(dist, bright, params, intensity, true);
  }
  std::vector<Peak> members = distinct_members(dist, candidate_peaks(dist, params.min_radius_px), params,
                                              intensity, false, std::move(candidates));
  if (members.empty() || static_cast<int>(members.size()) > params.max_members) {
    double top = 0.0;
    cv::Point at;
    cv::minMaxLoc(dist, nullptr, &top, nullptr, &at);
    members = {Peak{cv::Point2d(at), top}};
  }

  // Each pixel goes to the member whose inscribed disk it is deepest inside.
  cv::Mat owner(mask.size(), CV_32S, cv::Scalar(-1));
  for (int y = 0; y < mask.rows; ++y) {
    const unsigned char* m = mask.ptr<unsigned char>(y);
    int* o = owner.ptr<int>(y);
    for (int x = 0; x < mask.cols; ++x) {
      if (!m[x]) continue;
      double best = std::numeric_limits<double>::max();
      for (std::size_t k = 0; k < members.size(); ++k) {
        const double d = std::hypot(x - members[k].at.x, y - members[k].at.y) - members[k].radius;
        if (d < best) best = d, o[x] = static_cast<int>(k);
      }
    }
  }

  for (std::size_t k = 0; k < members.size(); ++k) {
    cv::Mat mine = (owner == static_cast<int>(k));
    BlobMember member;
    member.centre = members[k].at + cv::Point2d(offset);
    member.radius_px = members[k].radius;
    member.area_px = cv::countNonZero(mine);
    if (member.area_px == 0) continue;
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mine, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE, offset);
    if (!contours.empty()) {
      member.outline = *std::max_element(contours.begin(), contours.end(),
          [](const auto& a, const auto& b) { return a.size() < b.size(); });
    }
    out.push_back(std::move(member));
  }
  return out;
}

}  // namespace assay::protocols::imaging

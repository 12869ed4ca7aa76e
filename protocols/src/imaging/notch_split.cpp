#include "imaging/notch_split.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "imaging/flood_regions.hpp"

namespace assay::protocols::imaging {
namespace {

struct Notch {
  int index;  // on the contour
  double depth;
};

std::vector<Notch> notches_of(const std::vector<cv::Point>& contour, double min_depth_px) {
  std::vector<Notch> out;
  if (contour.size() < 8) return out;
  std::vector<int> hull;
  cv::convexHull(contour, hull, false, false);
  if (hull.size() < 3) return out;
  std::sort(hull.begin(), hull.end());
  std::vector<cv::Vec4i> defects;
  try {
    cv::convexityDefects(contour, hull, defects);
  } catch (const cv::Exception&) {
    return out;  // a self-touching outline: no notches to trust
  }
  for (const cv::Vec4i& d : defects) {
    const double depth = d[3] / 256.0;
    if (depth >= min_depth_px) out.push_back({d[2], depth});
  }
  return out;
}

bool segment_inside(const cv::Mat& mask, cv::Point a, cv::Point b) {
  cv::LineIterator it(mask, a, b, 8);
  for (int i = 0; i < it.count; ++i, ++it)
    if (!**it) return false;
  return true;
}

// Area enclosed by the contour from index i to index j (closed by the chord).
double piece_area(const std::vector<cv::Point>& contour, int i, int j) {
  std::vector<cv::Point> piece(contour.begin() + i, contour.begin() + j + 1);
  return cv::contourArea(piece);
}

// The best cut of one member (its mask), or false. `part` receives the cut-off part. Pieces are
// sized on the outline first; the image is cut only for the winner.
bool best_cut(const cv::Mat& member, const NotchCut& rule, cv::Mat& part) {
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(member, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  if (contours.empty()) return false;
  const auto& contour = *std::max_element(contours.begin(), contours.end(),
                                          [](const auto& a, const auto& b) { return a.size() < b.size(); });
  const std::vector<Notch> notches = notches_of(contour, rule.min_notch_px);
  if (notches.size() < 2) return false;
  const double whole = cv::contourArea(contour);
  struct Candidate {
    double ratio;
    cv::Point a, b;
  };
  std::vector<Candidate> candidates;
  for (std::size_t i = 0; i < notches.size(); ++i)
    for (std::size_t j = i + 1; j < notches.size(); ++j) {
      int ia = notches[i].index, ib = notches[j].index;
      if (ia > ib) std::swap(ia, ib);
      const cv::Point a = contour[static_cast<std::size_t>(ia)], b = contour[static_cast<std::size_t>(ib)];
      const double inner = piece_area(contour, ia, ib);
      const double area = std::min(inner, whole - inner);
      if (area < rule.min_area_px) continue;
      const double diameter = 2.0 * std::sqrt(area / std::numbers::pi);
      const double ratio = (cv::norm(a - b) + 1.0) / diameter;
      if (ratio >= rule.max_cut_ratio) continue;
      if (std::min(notches[i].depth, notches[j].depth) < rule.min_notch_depth * 0.5 * diameter) continue;
      if (!segment_inside(member, a, b)) continue;
      candidates.push_back({ratio, a, b});
    }
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& x, const Candidate& y) { return x.ratio < y.ratio; });
  constexpr std::size_t kTried = 3;  // the image is cut for the best few only
  for (std::size_t k = 0; k < std::min(kTried, candidates.size()); ++k) {
    cv::Mat cut = member.clone();
    cv::line(cut, candidates[k].a, candidates[k].b, cv::Scalar(0), 2, cv::LINE_8);
    cv::Mat pieces, stats, centroids;
    if (cv::connectedComponentsWithStats(cut, pieces, stats, centroids, 4, CV_32S) != 3) continue;
    const int small = stats.at<int>(1, cv::CC_STAT_AREA) <= stats.at<int>(2, cv::CC_STAT_AREA) ? 1 : 2;
    if (stats.at<int>(small, cv::CC_STAT_AREA) < rule.min_area_px) continue;
    part = pieces == small;
    return true;
  }
  return false;
}

}  // namespace

int cut_at_notches(cv::Mat& labels, int n, const NotchCut& rule) {
  int total = n;
  const cv::Rect whole(0, 0, labels.cols, labels.rows);
  // A member only shrinks as parts are cut off, so its first box bounds all later ones.
  const std::vector<cv::Rect> first_box = label_boxes(labels, n);
  for (int k = 1; k <= n; ++k) {
    const cv::Rect around = first_box[static_cast<std::size_t>(k)];
    for (int c = 0; c < rule.max_cuts; ++c) {
      if (around.area() == 0) break;
      const cv::Rect box = cv::boundingRect(labels(around) == k) + around.tl();
      if (box.area() == 0) break;
      const cv::Rect padded = (box - cv::Point(1, 1) + cv::Size(2, 2)) & whole;
      const cv::Mat member = labels(padded) == k;
      cv::Mat part;
      if (!best_cut(member, rule, part)) break;
      labels(padded).setTo(++total, part);
    }
  }
  return total;
}

}  // namespace assay::protocols::imaging

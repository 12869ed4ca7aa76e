#include "imaging/notch_cut.hpp"

#include <algorithm>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {
namespace {

struct Notch {
  cv::Point at;
  double depth = 0.0;
};

std::vector<Notch> notches_of(const std::vector<cv::Point>& outline, double min_depth_px) {
  std::vector<Notch> notches;
  if (outline.size() < 8) return notches;
  std::vector<int> hull;
  cv::convexHull(outline, hull, false, false);
  if (hull.size() < 3) return notches;
  std::vector<cv::Vec4i> defects;
  try {
    cv::convexityDefects(outline, hull, defects);
  } catch (const cv::Exception&) {
    return notches;  // a self-touching outline: no notches to trust
  }
  for (const cv::Vec4i& d : defects) {
    const double depth = d[3] / 256.0;
    if (depth >= min_depth_px) notches.push_back({outline[static_cast<std::size_t>(d[2])], depth});
  }
  return notches;
}

}  // namespace

std::optional<std::pair<cv::Mat, cv::Mat>> cut_at_notches(const cv::Mat& mask, double min_depth_px) {
  std::vector<std::vector<cv::Point>> contours;
  cv::Mat padded;
  cv::copyMakeBorder(mask, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::findContours(padded, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE, cv::Point(-1, -1));
  if (contours.empty()) return std::nullopt;
  const auto& outline = *std::max_element(contours.begin(), contours.end(),
                                          [](const auto& a, const auto& b) { return a.size() < b.size(); });
  const std::vector<Notch> notches = notches_of(outline, min_depth_px);
  if (notches.size() < 2) return std::nullopt;
  // The pair whose chord is shortest beside the notches' depths: the contact line.
  std::size_t best_i = 0, best_j = 0;
  double best = 1e18;
  for (std::size_t i = 0; i < notches.size(); ++i)
    for (std::size_t j = i + 1; j < notches.size(); ++j) {
      const double chord = cv::norm(notches[i].at - notches[j].at);
      const double score = chord / (notches[i].depth + notches[j].depth);
      if (score < best) best = score, best_i = i, best_j = j;
    }
  cv::Mat cut = mask.clone();
  cv::line(cut, notches[best_i].at, notches[best_j].at, cv::Scalar(0), 2, cv::LINE_8);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(cut, labels, stats, centroids, 4, CV_32S);
  if (n != 3) return std::nullopt;
  return std::make_pair(cv::Mat(labels == 1), cv::Mat(labels == 2));
}

}  // namespace assay::protocols::imaging

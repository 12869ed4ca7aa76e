#include "imaging/colony_split.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numbers>
#include <numeric>
#include <utility>

#include <opencv2/imgproc.hpp>

#include "imaging/flood_regions.hpp"
#include "imaging/notch_split.hpp"

namespace assay::protocols::imaging {
namespace {

int root_of(std::vector<int>& parent, int i) {
  while (parent[i] != i) i = parent[i] = parent[parent[i]];
  return i;
}

// How far each outline pixel lies inside the blob's convex hull (0 on the hull), at the pixels
// of `wanted` only (the ends of cuts: the test against the hull is the costly part).
cv::Mat hull_depth_of(const cv::Mat& labels, const cv::Mat& wanted) {
  cv::Mat depth(labels.size(), CV_32F, cv::Scalar(0));
  std::vector<std::vector<cv::Point>> contours;
  cv::findContours(labels > 0, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
  for (const auto& contour : contours) {
    std::vector<cv::Point> hull;
    for (const cv::Point& q : contour) {
      if (!wanted.at<unsigned char>(q)) continue;
      if (hull.empty()) cv::convexHull(contour, hull);
      depth.at<float>(q) = static_cast<float>(std::max(0.0, cv::pointPolygonTest(hull, cv::Point2f(q), true)));
    }
  }
  return depth;
}

// The shallower of the two ends of a cut where it meets the blob's outline; a contact line
// between two round colonies ends in two notches. Negative when the cut never meets the outline.
double shallower_end_depth(const std::vector<cv::Point>& ends, const cv::Mat& depth, double cut_length) {
  if (ends.empty()) return -1.0;
  double first = 0.0, second = -1.0;
  for (const cv::Point& q : ends) {
    const double d = depth.at<float>(q);
    if (cv::norm(q - ends.front()) <= 0.5 * cut_length) first = std::max(first, d);
    else second = std::max(second, d);
  }
  return second < 0.0 ? first : std::min(first, second);
}

// Undoes splits that do not look like a contact line between two colonies: the cut is long for
// the smaller part (a dip across one colony), takes up most of the smaller part's outline (a
// bump or a burst inside one colony), or meets the outline where it is not notched (two parts of
// one round colony). The worst cuts go first, and a merged part is judged by its merged size.
void merge_implausible_cuts(cv::Mat& labels, int n, const ColonySplitParams& params) {
  if (n < 2) return;
  std::vector<int> area(static_cast<std::size_t>(n) + 1, 0), outline(area), inside(area);  // inside: next to parts
  std::map<std::pair<int, int>, std::vector<cv::Point>> cut;  // pixels of the first label next to the second
  std::map<std::pair<int, int>, std::vector<cv::Point>> cut_ends;  // those of them on the blob's outline
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      const int a = row[x];
      if (a == 0) continue;
      ++area[a];
      int touching[4], n_touching = 0;
      bool on_outline = false, on_blob_edge = false;
      for (const cv::Point d : {cv::Point(1, 0), cv::Point(0, 1), cv::Point(-1, 0), cv::Point(0, -1)}) {
        const int xx = x + d.x, yy = y + d.y;
        const int b = xx < 0 || yy < 0 || xx >= labels.cols || yy >= labels.rows ? 0 : labels.at<int>(yy, xx);
        if (b == a) continue;
        on_outline = true;
        on_blob_edge = on_blob_edge || b == 0;
        if (b > 0 && std::find(touching, touching + n_touching, b) == touching + n_touching) touching[n_touching++] = b;
      }
      if (on_outline) ++outline[a];
      if (n_touching > 0) ++inside[a];
      for (int k = 0; k < n_touching; ++k) {
        cut[{a, touching[k]}].emplace_back(x, y);
        if (on_blob_edge) cut_ends[{a, touching[k]}].emplace_back(x, y);
      }
    }
  }
  cv::Mat cut_end(labels.size(), CV_8U, cv::Scalar(0));
  for (const auto& [pair, points] : cut_ends)
    for (const cv::Point& q : points) cut_end.at<unsigned char>(q) = 1;
  const cv::Mat depth = hull_depth_of(labels, cut_end);
  struct Cut {
    double badness;  // above 1: not a contact line
    int a, b;
  };
  const auto equivalent_diameter = [](int px) { return 2.0 * std::sqrt(px / std::numbers::pi); };
  // A part mostly enclosed by other parts joins the one it shares the longest cut with.
  std::vector<std::size_t> longest_cut(area.size(), 0);
  std::vector<int> longest_with(area.size(), 0);
  for (const auto& [pair, points] : cut)
    if (points.size() > longest_cut[pair.first]) longest_cut[pair.first] = points.size(), longest_with[pair.first] = pair.second;
  std::vector<Cut> cuts;
  for (const auto& [pair, points] : cut) {
    const auto [a, b] = pair;
    if (area[a] > area[b] || (area[a] == area[b] && a > b)) continue;  // judged from the smaller side
    const cv::RotatedRect box = cv::minAreaRect(points);
    const double length = std::max(box.size.width, box.size.height) + 1.0;
    const double by_length = length / (params.max_cut_ratio * equivalent_diameter(area[a]));
    double by_share = static_cast<double>(points.size()) / (params.max_shared_outline * std::max(1, outline[a]));
    if (longest_with[a] == b)
      by_share = std::max(by_share, static_cast<double>(inside[a]) / (params.max_enclosed_outline * std::max(1, outline[a])));
    const double notch = shallower_end_depth(cut_ends[pair], depth, length);
    const double by_notch =
        notch < 0.0 ? 0.0 : params.min_notch_depth * 0.5 * equivalent_diameter(area[a]) / std::max(notch, 1e-3);
    cuts.push_back({std::max({by_length, by_share, by_notch}), a, b});
  }
  std::sort(cuts.begin(), cuts.end(), [](const Cut& i, const Cut& j) { return i.badness > j.badness; });
  std::vector<int> parent(static_cast<std::size_t>(n) + 1);
  std::iota(parent.begin(), parent.end(), 0);
  bool merged_any = false;
  for (const Cut& c : cuts) {
    if (c.badness <= 1.0) break;
    const int a = root_of(parent, c.a), b = root_of(parent, c.b);
    if (a == b) continue;
    parent[a] = b;
    merged_any = true;
  }
  if (!merged_any) return;
  for (int y = 0; y < labels.rows; ++y) {
    int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x)
      if (row[x] > 0) row[x] = root_of(parent, row[x]);
  }
}

}  // namespace

std::vector<BlobMember> split_colonies(const cv::Mat& mask, cv::Point offset, const cv::Mat& signal,
                                       const ColonySplitParams& params) {
  std::vector<BlobMember> out;
  const double min_area = std::numbers::pi * params.min_radius_px * params.min_radius_px;
  cv::Mat by_dome;
  FloodRule dome;
  dome.min_drop = params.min_dip_levels;
  dome.max_saddle_ratio = params.dip_ratio;
  dome.min_area_px = static_cast<int>(min_area);
  const int domes = flood_regions(signal, mask, dome, by_dome);
  if (domes == 0) return out;
  merge_implausible_cuts(by_dome, domes, params);

  // Within each dome region, necks of the outline split flat touching colonies.
  FloodRule neck;
  neck.min_drop = 0.5;  // pixels: below this a neck is the distance transform's own rounding
  neck.max_saddle_ratio = params.neck_ratio;
  neck.min_peak = params.min_radius_px;
  neck.min_area_px = static_cast<int>(min_area);
  cv::Mat members(mask.size(), CV_32S, cv::Scalar(0));
  int n = 0;
  const std::vector<cv::Rect> dome_box = label_boxes(by_dome, domes);
  for (int d = 1; d <= domes; ++d) {
    const cv::Rect box = dome_box[static_cast<std::size_t>(d)];
    if (box.area() == 0) continue;
    // The distance transform needs background around the part: pad its box by a pixel.
    const cv::Rect padded = (box - cv::Point(1, 1) + cv::Size(2, 2)) & cv::Rect(0, 0, mask.cols, mask.rows);
    const cv::Mat part = by_dome(padded) == d;
    cv::Mat dist, sub;
    cv::distanceTransform(part, dist, cv::DIST_L2, cv::DIST_MASK_PRECISE);
    const int k = flood_regions(dist, part, neck, sub);
    merge_implausible_cuts(sub, k, params);
    cv::Mat target = members(padded);
    for (int y = 0; y < sub.rows; ++y) {
      const int* from = sub.ptr<int>(y);
      const unsigned char* in_part = part.ptr<unsigned char>(y);
      int* to = target.ptr<int>(y);
      for (int x = 0; x < sub.cols; ++x)
        if (in_part[x]) to[x] += from[x] + n;
    }
    n += k;
  }
  // A small colony pressed against a larger, brighter one shows only as a notched bump.
  NotchCut notch;
  notch.min_notch_depth = params.min_notch_depth;
  notch.max_cut_ratio = params.max_cut_ratio;
  notch.min_area_px = std::max(static_cast<int>(min_area), params.min_colony_area_px);
  if (n <= params.max_members) n = cut_at_notches(members, n, notch);
  if (n > params.max_members) {
    members = cv::Mat(mask.size(), CV_32S, cv::Scalar(0));
    members.setTo(1, mask != 0);
    n = 1;
  }

  // Each member is measured on its own box with a pixel of background around it (the distance
  // transform and the outline need it), never on the whole blob.
  const std::vector<cv::Rect> member_box = label_boxes(members, n);
  for (int k = 1; k <= n; ++k) {
    const cv::Rect box = member_box[static_cast<std::size_t>(k)];
    if (box.area() == 0) continue;
    const cv::Rect padded = (box - cv::Point(1, 1) + cv::Size(2, 2)) & cv::Rect(0, 0, mask.cols, mask.rows);
    const cv::Mat mine = members(padded) == k;
    // Centre from integer sums in blob coordinates: the same value the whole-blob moments gave.
    long long count = 0, sum_x = 0, sum_y = 0;
    for (int y = 0; y < mine.rows; ++y) {
      const unsigned char* row = mine.ptr<unsigned char>(y);
      for (int x = 0; x < mine.cols; ++x)
        if (row[x]) ++count, sum_x += x + padded.x, sum_y += y + padded.y;
    }
    if (count == 0) continue;
    BlobMember member;
    member.area_px = static_cast<int>(count);
    member.centre = cv::Point2d(static_cast<double>(sum_x) / static_cast<double>(count),
                                static_cast<double>(sum_y) / static_cast<double>(count)) +
                    cv::Point2d(offset);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(mine, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE, offset + padded.tl());
    if (contours.empty()) continue;
    member.outline = *std::max_element(contours.begin(), contours.end(),
                                       [](const auto& a, const auto& b) { return a.size() < b.size(); });
    out.push_back(std::move(member));
  }
  return out;
}

}  // namespace assay::protocols::imaging

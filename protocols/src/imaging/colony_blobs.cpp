#include "imaging/colony_blobs.hpp"

#include <algorithm>
#include <climits>
#include <cmath>
#include <numbers>
#include <utility>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "imaging/image_prep.hpp"

namespace assay::protocols::imaging {
namespace {

struct MemberSignal {
  cv::Rect box;  // the member's own box, grown by the halo ring, within the blob's box
  cv::Mat mask;  // of the member, in `box`
  double peak = 0.0, mean = 0.0;
  std::vector<float> values;  // the member's signal, for its median when it is needed
  int core_px = 0;  // pixels at or above half the peak
};

// The member's pixels in a mask the size of `box` (signal coordinates).
cv::Mat member_mask(const std::vector<cv::Point>& outline, const cv::Rect& box) {
  cv::Mat mask(box.size(), CV_8U, cv::Scalar(0));
  const std::vector<std::vector<cv::Point>> polys{outline};
  cv::fillPoly(mask, polys, cv::Scalar(255), cv::LINE_8, 0, -box.tl());
  return mask;
}

// Signal statistics of one member, measured on its own box (never the whole blob's: a blob of
// hundreds of members would be scanned once per member). `margin_px` leaves room for the halo ring.
MemberSignal member_signal(const std::vector<cv::Point>& outline, const cv::Rect& blob_box, int margin_px,
                           const cv::Mat& signal) {
  MemberSignal m;
  m.box = (cv::boundingRect(outline) - cv::Point(margin_px, margin_px) + cv::Size(2 * margin_px, 2 * margin_px)) &
          blob_box;
  m.mask = member_mask(outline, m.box);
  const cv::Mat s = signal(m.box);
  std::vector<float> values;
  for (int y = 0; y < s.rows; ++y) {
    const float* v = s.ptr<float>(y);
    const unsigned char* k = m.mask.ptr<unsigned char>(y);
    for (int x = 0; x < s.cols; ++x)
      if (k[x]) values.push_back(v[x]);
  }
  if (values.empty()) return m;
  m.peak = *std::max_element(values.begin(), values.end());
  double sum = 0.0;
  for (const float v : values) {
    sum += v;
    if (v >= 0.5 * m.peak) ++m.core_px;
  }
  m.mean = sum / static_cast<double>(values.size());
  m.values = std::move(values);
  return m;
}

double median_of(std::vector<float>& values) {
  if (values.empty()) return 0.0;
  std::nth_element(values.begin(), values.begin() + static_cast<long>(values.size() / 2), values.end());
  return values[values.size() / 2];
}

bool has_halo(const MemberSignal& m, const cv::Mat& blob, const cv::Mat& signal_box, const cv::Mat& ring_kernel,
              double max_halo_ratio) {
  cv::Mat ring;
  cv::dilate(m.mask, ring, ring_kernel);
  ring &= ~blob;
  return cv::countNonZero(ring) > 0 && cv::mean(signal_box, ring)[0] > max_halo_ratio * m.peak;
}

// Area, box and centroid of each label of a connected-components image, in one pass.
// (OpenCV 4.6's connectedComponentsWithStats takes several times as long as the labelling.)
struct Component {
  long long area = 0, sum_x = 0, sum_y = 0;
  int x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;
  cv::Rect box() const { return {x0, y0, x1 - x0 + 1, y1 - y0 + 1}; }
  cv::Point2d centroid() const {
    return {static_cast<double>(sum_x) / static_cast<double>(area), static_cast<double>(sum_y) / static_cast<double>(area)};
  }
};

std::vector<Component> components_of(const cv::Mat& labels, int n) {
  std::vector<Component> out(static_cast<std::size_t>(std::max(n, 1)));
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      const int k = row[x];
      if (k <= 0) continue;
      Component& c = out[static_cast<std::size_t>(k)];
      ++c.area, c.sum_x += x, c.sum_y += y;
      c.x0 = std::min(c.x0, x), c.x1 = std::max(c.x1, x);
      c.y0 = std::min(c.y0, y), c.y1 = std::max(c.y1, y);
    }
  }
  return out;
}

class BlobCounter {
 public:
  BlobCounter(const cv::Mat& signal, const BlobJudge& judge, std::vector<Colony>& out, double& area,
              std::vector<std::string>& flags)
      : signal_(signal), j_(judge), p_(judge.params), out_(out), area_(area), flags_(flags),
        ring_kernel_(disk_kernel(static_cast<int>(std::lround(judge.ring_px)))),
        halo_margin_px_(ring_kernel_.cols / 2 + 1) {
    const double min_r_px = 0.5 * p_.min_colony_diameter_um / j_.pixel_size_um;
    min_area_px_ = std::numbers::pi * min_r_px * min_r_px;
  }

  // Every component of `binary` (the size of `within`, a rectangle of the signal) as a blob.
  void count_components(const cv::Mat& binary, cv::Rect within, bool allow_pedestal) {
    cv::Mat labels;
    const int n = cv::connectedComponents(binary, labels, 8, CV_32S);
    const std::vector<Component> components = components_of(labels, n);
    const int pad = static_cast<int>(std::ceil(j_.ring_px)) + 1;
    for (int i = 1; i < n; ++i) {
      const Component& c = components[static_cast<std::size_t>(i)];
      if (c.area < 0.5 * min_area_px_) continue;
      const cv::Rect tight = c.box();
      const cv::Rect box = (tight + within.tl() - cv::Point(pad, pad) + cv::Size(2 * pad, 2 * pad)) &
                           cv::Rect(0, 0, signal_.cols, signal_.rows);
      cv::Mat blob(box.size(), CV_8U, cv::Scalar(0));
      const cv::Rect inside = (tight + within.tl()) & box;
      blob(inside - box.tl()).setTo(255, labels(inside - within.tl()) == i);
      const cv::Point2d centre = c.centroid() + cv::Point2d(within.tl());
      count_blob(blob, box, centre, static_cast<int>(c.area), allow_pedestal);
    }
  }

 private:
  void count_blob(cv::Mat& blob, const cv::Rect& box, cv::Point2d centre, int area_px, bool allow_pedestal) {
    double peak = 0.0;
    cv::minMaxLoc(signal_(box), nullptr, &peak, nullptr, nullptr, blob);
    if (peak < j_.seed_level) return;
    const double dish_area_px = std::numbers::pi * j_.count_radius_px * j_.count_radius_px;
    if (area_px > p_.max_coverage_fraction * dish_area_px) {
      flags_.push_back("background_region_rejected");
      return;
    }
    fill_holes(blob);
    const auto members = split_colonies(blob, box.tl(), signal_(box), j_.split);
    // Reflections along the rim are long arcs hugging the dish edge, not colonies; a row of
    // touching colonies near the rim is as long, but splits into round members.
    if (j_.dish.found &&
        cv::norm(centre + cv::Point2d(j_.origin) - j_.dish.centre_px) > p_.rim_zone_fraction * j_.count_radius_px) {
      const bool round_members = members.size() > 1 && std::all_of(members.begin(), members.end(), [&](const BlobMember& m) {
        return elongation_of(m.outline) <= p_.max_member_elongation_in_row;
      });
      std::vector<std::vector<cv::Point>> contours;
      cv::findContours(blob.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
      if (!round_members && !contours.empty() && elongation_of(contours.front()) > p_.max_rim_elongation) return;
    }
    for (const BlobMember& m : members) judge_member(m, blob, box, members.size() > 1, allow_pedestal);
  }

  void judge_member(const BlobMember& m, const cv::Mat& blob, const cv::Rect& box, bool from_split, bool allow_pedestal) {
    if (m.area_px < min_area_px_) return;
    MemberSignal s = member_signal(m.outline, box, halo_margin_px_, signal_);
    // A small high part on a wide low pedestal: a colony on a diffuse highlight. Count what
    // stands above the pedestal instead.
    if (allow_pedestal && s.mean < p_.max_pedestal_fill * s.peak && m.area_px > p_.min_pedestal_area * min_area_px_) {
      const cv::Mat above = (signal_(box) > median_of(s.values) + j_.edge_level) & member_mask(m.outline, box);
      count_components(above, box, false);
      return;
    }
    // A colony has an edge: just outside it the signal is far below its peak. Diffuse glare
    // and illumination humps cross the threshold with the level outside almost as high.
    if (has_halo(s, blob(s.box - box.tl()), signal_(s.box), ring_kernel_, p_.max_halo_ratio)) return;
    // Dust: a point blurred by the optics, whose core above half its peak is smaller than any
    // colony's (a colony's core spans most of it).
    if (s.core_px < p_.min_core_fraction * p_.min_core_fraction * min_area_px_) return;
    if (s.peak < j_.seed_level) return;    // no peak of its own: the fringe of something else
    Colony c;
    c.centre_px = m.centre + cv::Point2d(j_.origin);
    c.outline = m.outline;
    for (cv::Point& q : c.outline) q += j_.origin;
    const cv::Rect mbox = cv::boundingRect(c.outline);
    if (std::max(mbox.width, mbox.height) * j_.pixel_size_um > p_.max_colony_diameter_um) return;
    if (elongation_of(c.outline) > p_.max_elongation) return;
    c.area_um2 = m.area_px * j_.pixel_size_um * j_.pixel_size_um;
    c.diameter_um = 2.0 * std::sqrt(c.area_um2 / std::numbers::pi);
    c.from_split = from_split;
    std::vector<cv::Point> hull;
    cv::convexHull(c.outline, hull);
    const double hull_area = cv::contourArea(hull);
    c.solidity = hull_area > 0 ? std::min(1.0, m.area_px / hull_area) : 1.0;
    j_.classifier.measure(c, signal_, j_.origin);
    area_ += m.area_px;
    out_.push_back(std::move(c));
  }

  const cv::Mat& signal_;
  const BlobJudge& j_;
  const ColonyCountParams& p_;
  std::vector<Colony>& out_;
  double& area_;
  std::vector<std::string>& flags_;
  cv::Mat ring_kernel_;
  int halo_margin_px_;  // the ring's reach beyond a member, plus a pixel
  double min_area_px_ = 1.0;
};

}  // namespace

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

std::vector<Colony> colonies_in_blobs(const cv::Mat& binary, const cv::Mat& signal, const BlobJudge& judge,
                                      double& colony_area_px, std::vector<std::string>& flags) {
  std::vector<Colony> out;
  BlobCounter counter(signal, judge, out, colony_area_px, flags);
  counter.count_components(binary, cv::Rect(0, 0, binary.cols, binary.rows), true);
  return out;
}

}  // namespace assay::protocols::imaging

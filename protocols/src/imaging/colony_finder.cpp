#include "imaging/colony_finder.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "imaging/image_prep.hpp"
#include "imaging/level_tree.hpp"
#include "imaging/notch_cut.hpp"
#include "imaging/shoulder_split.hpp"

namespace assay::protocols::imaging {
namespace {

// Parts of `mask` above `level` in `value` (both box-sized), with each part's peak.
struct Part {
  cv::Rect box;  // in the coordinates of the image it was found in
  cv::Mat mask;
  double peak = 0.0;
  int area = 0;
};

// Pixels of `mask` whose value exceeds `level` (compared as a float).
cv::Mat above_level(const cv::Mat& value, const cv::Mat& mask, double level) {
  cv::Mat above(value.size(), CV_8U);
  const float limit = static_cast<float>(level);
  for (int y = 0; y < value.rows; ++y) {
    const float* v = value.ptr<float>(y);
    const unsigned char* m = mask.ptr<unsigned char>(y);
    unsigned char* o = above.ptr<unsigned char>(y);
    for (int x = 0; x < value.cols; ++x) o[x] = (m[x] && v[x] > limit) ? 255 : 0;
  }
  return above;
}

std::vector<Part> parts_above(const cv::Mat& value, const cv::Mat& mask, double level, int min_area) {
  const cv::Mat above = above_level(value, mask, level);
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(above, labels, stats, centroids, 8, CV_32S);
  std::vector<Part> parts;
  for (int i = 1; i < n; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area < min_area) continue;
    Part part;
    part.box = {stats.at<int>(i, cv::CC_STAT_LEFT), stats.at<int>(i, cv::CC_STAT_TOP), stats.at<int>(i, cv::CC_STAT_WIDTH),
                stats.at<int>(i, cv::CC_STAT_HEIGHT)};
    part.area = area;
    part.mask = labels(part.box) == i;
    cv::minMaxLoc(value(part.box), nullptr, &part.peak, nullptr, nullptr, part.mask);
    parts.push_back(std::move(part));
  }
  return parts;
}

// The blobs of the whole signal above the edge level, each also as its list of pixels.
struct Blob {
  Part part;
  PixelList pixels;
};

// A part from its pixels (row-major indices into `value`): box, area and peak; its mask is
// drawn only by with_mask (at the size of the dish wall's glow, drawing it is what costs).
Part part_from_pixels(const PixelList& pixels, const cv::Mat& value) {
  const int cols = value.cols;
  const float* v = value.ptr<float>(0);
  int x0 = cols, x1 = -1, y0 = value.rows, y1 = -1;
  float peak = v[pixels.front()];
  for (const int p : pixels) {
    x0 = std::min(x0, p % cols);
    x1 = std::max(x1, p % cols);
    y0 = std::min(y0, p / cols);
    y1 = std::max(y1, p / cols);
    peak = std::max(peak, v[p]);
  }
  Part part;
  part.box = {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
  part.area = static_cast<int>(pixels.size());
  part.peak = peak;
  return part;
}

Part with_mask(Part part, const PixelList& pixels, int cols) {
  part.mask = cv::Mat(part.box.size(), CV_8U, cv::Scalar(0));
  for (const int p : pixels) part.mask.at<unsigned char>(p / cols - part.box.y, p % cols - part.box.x) = 255;
  return part;
}

std::vector<Blob> blobs_above(const cv::Mat& signal, const cv::Mat& inside, double level, int min_area) {
  const cv::Mat above = above_level(signal, inside, level);
  cv::Mat labels;
  const int n = cv::connectedComponents(above, labels, 8, CV_32S);
  // Each blob's pixels in one pass over the labels (labelling with statistics costs several
  // times plain labelling).
  std::vector<PixelList> pixels(static_cast<std::size_t>(n));
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x)
      if (l[x] > 0) pixels[static_cast<std::size_t>(l[x])].push_back(y * labels.cols + x);
  }
  std::vector<Blob> blobs;
  for (int i = 1; i < n; ++i) {
    PixelList& own = pixels[static_cast<std::size_t>(i)];
    if (static_cast<int>(own.size()) < min_area) continue;
    blobs.push_back({with_mask(part_from_pixels(own, signal), own, signal.cols), std::move(own)});
  }
  return blobs;
}

// A colony with a lighter centre (or a darker ring) falls apart into a ring around a core, and
// one with a glint (a lamp's reflection on its dome) into a crescent around the glint: one
// colony, not two. A part wraps another when the other's centre lies within its outline with
// the holes filled or, when the other is the smaller, within its convex hull (two touching
// colonies are each convex: neither's hull reaches the other's centre). A ring wider than
// `max_ring_width_px` (the largest colony) is no colony's rim but the dish wall's glow, and is
// not examined (at the size of the dish, the most costly step of a count).
bool any_encloses(const std::vector<Part>& parts, double max_ring_width_px,
                  const std::function<cv::Mat(std::size_t)>& mask_of) {
  auto centre_of = [](const Part& part) { return part.box.tl() + cv::Point(part.box.width / 2, part.box.height / 2); };
  for (std::size_t o = 0; o < parts.size(); ++o) {
    const Part& outer = parts[o];
    if (std::max(outer.box.width, outer.box.height) > max_ring_width_px) continue;
    const bool may_enclose = std::any_of(parts.begin(), parts.end(), [&](const Part& inner) {
      return &inner != &outer && outer.box.contains(centre_of(inner));
    });
    if (!may_enclose) continue;
    cv::Mat filled = mask_of(o);
    fill_holes(filled);
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(filled, contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_SIMPLE);
    std::vector<cv::Point> hull;
    if (!contours.empty())
      cv::convexHull(*std::max_element(contours.begin(), contours.end(),
                                        [](const auto& a, const auto& b) { return a.size() < b.size(); }),
                     hull);
    for (const Part& inner : parts) {
      if (&inner == &outer) continue;
      const cv::Point at = centre_of(inner) - outer.box.tl();
      if (cv::Rect(0, 0, filled.cols, filled.rows).contains(at) && filled.at<unsigned char>(at) != 0) return true;
      if (inner.area < outer.area && hull.size() >= 3 && cv::pointPolygonTest(hull, cv::Point2f(at), false) > 0)
        return true;
    }
  }
  return false;
}

// A blob is cut at notches at most this often; a notch must be this deep at least.
constexpr int kMaxNotchCuts = 4;
constexpr double kMinNotchDepthPx = 1.5;
constexpr double kNotchDepthFraction = 0.1;  // of the blob's inscribed radius

class Finder {
 public:
  Finder(const cv::Mat& signal, const ColonyFinderParams& p, std::vector<ColonyCandidate>& out)
      : signal_(signal), p_(p), out_(out),
        min_area_(std::max(3, static_cast<int>(std::numbers::pi * p.min_radius_px * p.min_radius_px))),
        scratch_(signal) {}

  // Follows one blob up the threshold tree; `box` is in signal coordinates, `pixels` are the
  // blob's pixels above `level` and `mask` also holds the small holes they enclose.
  void climb_blob(const cv::Rect& box, const cv::Mat& mask, const PixelList& pixels, double level, double peak) {
    std::vector<double> levels;
    for (double next = level + p_.level_step; next < peak - p_.min_dip; next += p_.level_step) levels.push_back(next);
    const LevelTree tree(scratch_, pixels, levels);
    climb(tree, levels, tree.lowest(), 0, {box, mask, peak, static_cast<int>(pixels.size())}, -1, false);
  }

 private:
  // One part on its way up: `frontier` holds its parts above levels[k]. It splits at the lowest
  // level where two or more significant parts stand out, none a ring around another; each is
  // followed on from there. A part that never splits is judged whole: `part`, whose mask is
  // drawn then from tree node `node` unless it came with one (the whole blob).
  void climb(const LevelTree& tree, const std::vector<double>& levels, std::vector<int> frontier, std::size_t k,
             const Part& part, int node, bool from_split) {
    for (; k < levels.size() && levels[k] < part.peak - p_.min_dip; ++k) {
      std::vector<int> significant;
      for (const int n : frontier) {
        const LevelNode& up = tree.node(n);
        if (up.area >= min_area_ && up.peak - levels[k] >= std::max(p_.min_dip, p_.min_dip_fraction * up.peak))
          significant.push_back(n);
      }
      if (significant.empty()) break;
      if (significant.size() >= 2) {
        std::sort(significant.begin(), significant.end(),
                  [&](int a, int b) { return tree.node(a).first_pixel < tree.node(b).first_pixel; });
        std::vector<Part> parts;
        for (const int n : significant) parts.push_back(part_from_pixels(tree.pixels_of(n), signal_));
        const auto mask_of = [&](std::size_t i) {
          return with_mask(parts[i], tree.pixels_of(significant[i]), signal_.cols).mask;
        };
        if (relief_on_one_colony(part, node, tree, parts)) break;
        if (!any_encloses(parts, 2.0 * p_.max_radius_px, mask_of)) {
          for (std::size_t i = 0; i < parts.size(); ++i) {
            const auto up = tree.children(significant[i]);
            climb(tree, levels, {up.begin(), up.end()}, k + 1, parts[i], significant[i], true);
          }
          return;
        }
      }
      frontier.clear();
      for (const int n : significant) {
        const auto up = tree.children(n);
        frontier.insert(frontier.end(), up.begin(), up.end());
      }
    }
    if (node < 0) return judge_shape(part.box, part.mask, from_split);
    const Part whole = with_mask(part, tree.pixels_of(node), signal_.cols);
    judge_shape(whole.box, whole.mask, from_split);
  }

  // A colony's own relief (a glint, a ridge, granular texture on its dome) stands out near its
  // top as small parts; two colonies stand out just above the dip between them, where each still
  // holds a good share of the whole. A round, solid part whose parts together cover less than
  // relief_max_cover of it is one colony with relief on it.
  bool relief_on_one_colony(const Part& whole, int node, const LevelTree& tree, const std::vector<Part>& parts) const {
    if (p_.relief_max_cover <= 0.0) return false;
    double covered = 0.0;
    for (const Part& part : parts) covered += part.area;
    if (covered >= p_.relief_max_cover * whole.area) return false;
    const BlobShape shape = node < 0 ? shape_of(whole.mask) : shape_of(with_mask(whole, tree.pixels_of(node), signal_.cols).mask);
    return shape.elongation <= p_.round_max_elongation && shape.solidity >= p_.round_min_solidity;
  }

  void judge_shape(const cv::Rect& box, const cv::Mat& mask, bool from_split, bool shoulders_looked = false) {
    // A part smaller than three smallest colonies has no room for a core and a lump beside it.
    if (!shoulders_looked && p_.shoulder_min_compactness > 0 && cv::countNonZero(mask) >= 3 * min_area_) {
      ShoulderParams sp;
      sp.min_area_px = min_area_;
      sp.min_inscribed_px = p_.min_thickness_fraction * p_.min_radius_px;
      sp.min_compactness = p_.shoulder_min_compactness;
      sp.flank_margin = p_.shoulder_flank_margin;
      const Shoulders s = find_shoulders(signal_(box), mask, sp);
      if (!s.lumps.empty()) {
        for (const cv::Mat& lump : s.lumps) accept_checked(box, lump, shape_of(lump), true);
        return judge_shape(box, s.core, true, true);
      }
    }
    const BlobShape shape = shape_of(mask);
    if (shape.inscribed_radius_px < p_.min_thickness_fraction * p_.min_radius_px) return;
    if (shape.elongation <= p_.round_max_elongation && shape.solidity >= p_.round_min_solidity)
      return accept(box, mask, shape, from_split);
    // Thin appendages go with an opening scaled to the blob's own thickness.
    // Below the smallest colony's radius: a small colony pressed against a big one survives it.
    const double open_px = std::min(p_.appendage_open_fraction * shape.inscribed_radius_px, 0.8 * p_.min_radius_px);
    const int open_r = std::max(1, static_cast<int>(std::lround(open_px)));
    cv::Mat opened;
    cv::morphologyEx(mask, opened, cv::MORPH_OPEN, disk_kernel(open_r));
    const cv::Mat flat(mask.size(), CV_32F, cv::Scalar(1.0f));
    const std::vector<Part> pieces = parts_above(flat, opened, 0.5, min_area_);
    for (const Part& piece : pieces) split_necks(piece.box + box.tl(), piece.mask, from_split || pieces.size() > 1);
  }

  // Touching colonies without a dip between them: the threshold tree on the distance transform.
  // Its levels rise by half a pixel; the tree of each (grown) part is built in one pass over its
  // pixels (level_tree.hpp) rather than labelled anew at every level.
  void split_necks(const cv::Rect& box, const cv::Mat& mask, bool from_split) {
    cv::Mat padded, dist;
    cv::copyMakeBorder(mask, padded, 1, 1, 1, 1, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::distanceTransform(padded, dist, cv::DIST_L2, 5);
    LevelScratch scratch(dist);
    neck_tree({scratch, dist}, box, cv::Point(1, 1), mask, 0.0, from_split);
  }

  struct DistanceMap {
    LevelScratch& scratch;
    const cv::Mat& dist;  // continuous CV_32F; the part's mask lies at an offset in it
  };

  // `mask` is the part in `box` (signal coordinates), and at `offset` in the distance map. It
  // splits at the lowest level where two or more parts stand out that are thick, reach well
  // above the level and whose neck there is narrow against their own width; each part is grown
  // back over the mask by the level it lost and followed on from there.
  void neck_tree(const DistanceMap& map, const cv::Rect& box, cv::Point offset, const cv::Mat& mask, double level,
                 bool from_split) {
    constexpr double kStepPx = 0.5;
    const int cols = map.dist.cols;
    PixelList pixels;
    float peak = 0.0f;
    for (int y = 0; y < mask.rows; ++y) {
      const unsigned char* m = mask.ptr<unsigned char>(y);
      const float* d = map.dist.ptr<float>(y + offset.y) + offset.x;
      for (int x = 0; x < mask.cols; ++x)
        if (m[x]) {
          pixels.push_back((y + offset.y) * cols + x + offset.x);
          peak = std::max(peak, d[x]);
        }
    }
    std::vector<double> levels;
    for (double next = level + kStepPx; next < peak; next += kStepPx) levels.push_back(next);
    if (levels.empty()) return accept_or_cut(box, mask, from_split, 0);
    const LevelTree tree(map.scratch, pixels, levels);
    std::vector<int> frontier = tree.lowest();
    for (std::size_t k = 0; k < levels.size() && !frontier.empty(); ++k) {
      const double next = levels[k];
      std::vector<int> standing;
      for (const int n : frontier) {
        const double top = tree.node(n).peak;
        if (top >= p_.min_thickness_fraction * p_.min_radius_px && next <= p_.neck_ratio * top && top - next >= 1.0)
          standing.push_back(n);
      }
      if (standing.size() >= 2) {
        std::sort(standing.begin(), standing.end(),
                  [&](int a, int b) { return tree.node(a).first_pixel < tree.node(b).first_pixel; });
        const int r = static_cast<int>(std::ceil(next));
        for (const int n : standing) {
          // In the mask's coordinates: the part's box, widened by the growth within the mask.
          const PixelList own = tree.pixels_of(n);
          const cv::Rect inside = part_from_pixels(own, map.dist).box - offset;
          const cv::Rect wide = (inside - cv::Point(r, r) + cv::Size(2 * r, 2 * r)) & cv::Rect(0, 0, mask.cols, mask.rows);
          cv::Mat core(wide.size(), CV_8U, cv::Scalar(0));
          for (const int i : own)
            core.at<unsigned char>(i / cols - offset.y - wide.y, i % cols - offset.x - wide.x) = 255;
          cv::Mat grown;
          cv::dilate(core, grown, disk_kernel(r));
          grown &= mask(wide);
          neck_tree(map, wide + box.tl(), offset + wide.tl(), grown, next, true);
        }
        return;
      }
      std::vector<int> up;
      for (const int n : frontier) {
        const auto children = tree.children(n);
        up.insert(up.end(), children.begin(), children.end());
      }
      frontier = std::move(up);
    }
    accept_or_cut(box, mask, from_split, 0);
  }

  // Colonies pressed so far together that no neck remains: cut at the notches of their joint
  // outline when both pieces come out rounder than the whole (notch_cut.hpp).
  void accept_or_cut(const cv::Rect& box, const cv::Mat& mask, bool from_split, int cuts) {
    const BlobShape whole = shape_of(mask);
    if (cuts < kMaxNotchCuts && whole.solidity < p_.round_min_solidity) {
      const double min_depth = std::max(kMinNotchDepthPx, kNotchDepthFraction * whole.inscribed_radius_px);
      if (auto pieces = cut_at_notches(mask, min_depth)) {
        const BlobShape a = shape_of(pieces->first), b = shape_of(pieces->second);
        if (a.area_px >= min_area_ && b.area_px >= min_area_ && a.solidity > whole.solidity &&
            b.solidity > whole.solidity) {
          accept_or_cut(box, pieces->first, true, cuts + 1);
          accept_or_cut(box, pieces->second, true, cuts + 1);
          return;
        }
      }
    }
    accept_checked(box, mask, whole, from_split);
  }

  void accept_checked(const cv::Rect& box, const cv::Mat& mask, const BlobShape& shape, bool from_split) {
    if (shape.area_px < min_area_) return;
    if (shape.inscribed_radius_px < p_.min_thickness_fraction * p_.min_radius_px) return;
    if (shape.elongation > p_.max_elongation) return;
    if (shape.compactness() < p_.min_compactness) return;
    accept(box, mask, shape, from_split);
  }

  void accept(const cv::Rect& box, const cv::Mat& mask, const BlobShape& shape, bool from_split) {
    if (shape.equivalent_radius_px() > p_.max_radius_px) return;
    ColonyCandidate c;
    c.box = box;
    c.mask = mask.clone();
    cv::minMaxLoc(signal_(box), nullptr, &c.peak, nullptr, nullptr, mask);
    c.from_split = from_split;
    const cv::Moments m = cv::moments(mask, true);
    c.centre_px = cv::Point2d(box.tl()) + cv::Point2d(m.m10 / m.m00, m.m01 / m.m00);
    c.shape = shape;
    out_.push_back(std::move(c));
  }

  const cv::Mat& signal_;
  const ColonyFinderParams& p_;
  std::vector<ColonyCandidate>& out_;
  int min_area_;
  LevelScratch scratch_;
};

}  // namespace

std::vector<ColonyCandidate> find_colonies(const cv::Mat& signal, const cv::Mat& inside, const ColonyFinderParams& p) {
  std::vector<ColonyCandidate> out;
  Finder finder(signal, p, out);
  const int min_area = std::max(3, static_cast<int>(std::numbers::pi * p.min_radius_px * p.min_radius_px));
  for (Blob& blob : blobs_above(signal, inside, p.edge_level, min_area)) {
    if (blob.part.peak < p.seed_level) continue;
    fill_small_holes(blob.part.mask, std::numbers::pi * p.max_radius_px * p.max_radius_px);
    finder.climb_blob(blob.part.box, blob.part.mask, blob.pixels, p.edge_level, blob.part.peak);
  }
  return out;
}

}  // namespace assay::protocols::imaging

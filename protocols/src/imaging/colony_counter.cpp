#include "assay/protocols/imaging/colony_counter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "imaging/colony_classifier.hpp"
#include "imaging/dish_finder.hpp"
#include "imaging/image_prep.hpp"
#include "imaging/colony_finder.hpp"
#include "imaging/colony_shape.hpp"
#include "imaging/colour_contrast.hpp"

namespace assay::protocols::imaging {
namespace {

// Hue share of a colour shift (its length without the equal shift of all channels, over its
// whole length) above which colonies count as tinted.
constexpr double kMinTint = 0.2;
// A part of a tinted plate with less than this share of the typical tint is grey: dust, not a
// colony (real small colonies on the photographs keep 0.4 of it and more, specks 0.2 and less).
constexpr double kMinTintShare = 0.3;
// Parts of at least this share of the area-weighted median area are colony-sized: the typical
// colony is taken from them.
constexpr double kColonySizeShare = 0.25;
// An overlapping pair's inscribed radius over the typical colony's equivalent radius, and its
// least area in typical colonies (two disks a radius apart cover 1.6 of one).
constexpr double kPairWidthRange[] = {0.75, 1.3};
constexpr double kPairMinArea = 1.3;

// Median and spread of a float image inside a mask, on a subsample.
struct Spread {
  double median = 0.0;
  double sigma = 0.0;  // 1.4826 x median absolute deviation
  double low_tail = 0.0;   // median - 0.5th percentile
  double high_tail = 0.0;  // 99.5th percentile - median
};

Spread spread_inside(const cv::Mat& f32, const cv::Mat& mask, int step) {
  std::vector<float> v;
  v.reserve(static_cast<std::size_t>((f32.rows / step + 1) * (f32.cols / step + 1)));
  for (int y = 0; y < f32.rows; y += step) {
    const float* a = f32.ptr<float>(y);
    const unsigned char* m = mask.ptr<unsigned char>(y);
    for (int x = 0; x < f32.cols; x += step)
      if (m[x]) v.push_back(a[x]);
  }
  Spread s;
  if (v.size() < 16) return s;
  // Quantiles by selection, not a full sort: this runs on hundreds of thousands of samples.
  // After the median's selection the lower quantile lies in the part before it and the upper in
  // the part after it, so each is selected from its part only.
  const auto index_of = [&](double q) { return static_cast<long>(q * static_cast<double>(v.size() - 1)); };
  const auto mid = v.begin() + index_of(0.5), low = v.begin() + index_of(0.005), high = v.begin() + index_of(0.995);
  std::nth_element(v.begin(), mid, v.end());
  s.median = *mid;
  std::nth_element(v.begin(), low, mid);
  s.low_tail = s.median - *low;
  std::nth_element(mid + 1, high, v.end());
  s.high_tail = *high - s.median;
  for (float& x : v) x = std::abs(x - static_cast<float>(s.median));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(v.size() / 2), v.end());
  s.sigma = 1.4826 * v[v.size() / 2];
  return s;
}

void check_params(const ColonyCountParams& p) {
  auto require = [](bool ok, const char* field, const char* rule) {
    if (!ok) throw std::invalid_argument(std::string("colony count parameter ") + field + " " + rule);
  };
  auto fraction = [&](double v, const char* field) { require(v > 0.0 && v <= 1.0, field, "must be in (0, 1]"); };
  require(p.pixel_size_um >= 0.0, "pixel_size_um", "must be >= 0 (0 = derive from the dish)");
  require(p.dish_diameter_mm > 0.0, "dish_diameter_mm", "must be > 0");
  require(p.rim_margin_fraction >= 0.0 && p.rim_margin_fraction < 0.5, "rim_margin_fraction", "must be in [0, 0.5)");
  require(p.min_colony_diameter_um > 0.0, "min_colony_diameter_um", "must be > 0");
  require(p.min_colony_diameter_px >= 2.0, "min_colony_diameter_px", "must be >= 2");
  require(p.max_colony_diameter_um > p.min_colony_diameter_um, "max_colony_diameter_um",
          "must exceed min_colony_diameter_um");
  require(p.background_window_fraction > 0.0 && p.background_window_fraction < 1.0,
          "background_window_fraction", "must be in (0, 1)");
  fraction(p.background_fit_fraction, "background_fit_fraction");
  require(p.max_background_window_fraction >= p.background_window_fraction && p.max_background_window_fraction < 1.0,
          "max_background_window_fraction", "must be in [background_window_fraction, 1)");
  require(p.smoothing_fraction >= 0.0 && p.smoothing_fraction < 0.05, "smoothing_fraction", "must be in [0, 0.05)");
  require(p.threshold_sigma > 0.0, "threshold_sigma", "must be > 0");
  require(p.seed_sigma >= p.threshold_sigma, "seed_sigma", "must be >= threshold_sigma");
  require(p.tree_step_sigma > 0.0, "tree_step_sigma", "must be > 0");
  require(p.split_min_dip_sigma >= 0.0, "split_min_dip_sigma", "must be >= 0");
  require(p.split_min_dip_levels > 0.0, "split_min_dip_levels", "must be > 0");
  fraction(p.split_neck_ratio, "split_neck_ratio");
  require(p.round_max_elongation >= 1.0, "round_max_elongation", "must be >= 1");
  fraction(p.round_min_solidity, "round_min_solidity");
  fraction(p.appendage_open_fraction, "appendage_open_fraction");
  require(p.min_thickness_fraction >= 0.0, "min_thickness_fraction", "must be >= 0");
  require(p.max_elongation >= 1.0, "max_elongation", "must be >= 1");
  require(p.min_compactness >= 0.0 && p.min_compactness <= 1.0, "min_compactness", "must be in [0, 1]");
  require(p.min_relative_peak >= 0.0 && p.min_relative_peak <= 1.0, "min_relative_peak", "must be in [0, 1]");
  fraction(p.rim_zone_fraction, "rim_zone_fraction");
  require(p.rim_min_relative_peak >= 0.0 && p.rim_min_relative_peak <= 1.0, "rim_min_relative_peak", "must be in [0, 1]");
  require(p.rim_min_relative_area >= 0.0, "rim_min_relative_area", "must be >= 0");
  require(p.cluster_min_colonies > 1.0, "cluster_min_colonies", "must be > 1");
  fraction(p.cluster_max_solidity, "cluster_max_solidity");
  fraction(p.classes.min_dip_fraction, "classes.min_dip_fraction");
  require(p.too_many_per_cm2 > 0.0, "too_many_per_cm2", "must be > 0");
  require(p.max_coverage_fraction > 0.0 && p.max_coverage_fraction <= 1.0, "max_coverage_fraction", "must be in (0, 1]");
  require(p.cells_plated >= 0.0 && std::isfinite(p.cells_plated), "cells_plated", "must be a finite number >= 0");
}

// Background brightness without the colonies (which are bright after polarity), at reduced
// resolution: an opening removes everything smaller than the window, a box blur smooths it.
cv::Mat background_of(const cv::Mat& small, double radius_px_small) {
  const int r = std::max(1, static_cast<int>(std::lround(radius_px_small)));
  cv::Mat opened;
  cv::morphologyEx(small, opened, cv::MORPH_OPEN, disk_kernel(r));
  cv::blur(opened, opened, cv::Size(2 * r + 1, 2 * r + 1), cv::Point(-1, -1), cv::BORDER_REPLICATE);
  return opened;
}

// Inscribed radius of the widest bright blob of a reduced image above its background. A colony
// wider than the background window leaks into the background and leaves only a ring of signal;
// its holes are filled so the ring measures as the colony it outlines.
double widest_blob_radius(const cv::Mat& small, const cv::Mat& bg_small, const cv::Mat& small_mask,
                          double threshold_sigma, double min_contrast, double max_radius_small) {
  const cv::Mat residual = small - bg_small;
  const Spread r = spread_inside(residual, small_mask, 1);
  cv::Mat blobs = (residual > std::max(min_contrast, r.median + threshold_sigma * r.sigma)) & small_mask;
  fill_small_holes(blobs, std::numbers::pi * max_radius_small * max_radius_small);
  cv::Mat dist;
  cv::distanceTransform(blobs, dist, cv::DIST_L2, 3);
  double widest = 0.0;
  cv::minMaxLoc(dist, nullptr, &widest);
  return widest;
}

// Replaces every pixel outside `mask` by the nearest inside value, so filters running across
// the dish edge see the medium continued rather than the rim or the surface under the dish.
void extend_inside_values(cv::Mat& f32, const cv::Mat& mask) {
  cv::Mat outside = mask == 0, dist, labels;
  if (cv::countNonZero(outside) == 0 || cv::countNonZero(mask) == 0) return;
  cv::distanceTransform(outside, dist, labels, cv::DIST_L2, 3, cv::DIST_LABEL_PIXEL);
  std::vector<float> value_of_label(static_cast<std::size_t>(f32.total()) + 1, 0.0f);
  for (int y = 0; y < f32.rows; ++y)
    for (int x = 0; x < f32.cols; ++x)
      if (mask.at<unsigned char>(y, x)) value_of_label[labels.at<int>(y, x)] = f32.at<float>(y, x);
  for (int y = 0; y < f32.rows; ++y)
    for (int x = 0; x < f32.cols; ++x)
      if (!mask.at<unsigned char>(y, x)) f32.at<float>(y, x) = value_of_label[labels.at<int>(y, x)];
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0.0;
  const auto mid = values.begin() + static_cast<long>(values.size() / 2);
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

// The value below which half of the total weight lies.
double area_weighted_median(std::vector<std::pair<double, double>> value_weight) {
  if (value_weight.empty()) return 0.0;
  std::sort(value_weight.begin(), value_weight.end());
  double total = 0.0;
  for (const auto& [value, weight] : value_weight) total += weight;
  double seen = 0.0;
  for (const auto& [value, weight] : value_weight)
    if ((seen += weight) >= 0.5 * total) return value;
  return value_weight.back().first;
}

// The median of one shape measure over the candidates (`fallback` when there are none).
template <class Measure>
double median_shape(const std::vector<ColonyCandidate>& candidates, Measure measure, double fallback) {
  std::vector<double> values;
  for (const ColonyCandidate& c : candidates) values.push_back(measure(c.shape));
  return values.empty() ? fallback : median_of(std::move(values));
}

double median_area(const std::vector<ColonyCandidate>& candidates) {
  return std::max(1.0, median_shape(candidates, [](const BlobShape& s) { return double(s.area_px); }, 1.0));
}

// Colour of a candidate relative to the medium: its mean BGR minus the medium's.
cv::Vec3d colour_shift(const ColonyCandidate& c, const cv::Mat& bgr_roi, const cv::Scalar& medium) {
  const cv::Scalar mean = cv::mean(bgr_roi(c.box), c.mask);
  return {mean[0] - medium[0], mean[1] - medium[1], mean[2] - medium[2]};
}

// The hue part of a colour shift: what remains when the equal shift of all channels (a change
// of brightness) is taken away.
cv::Vec3d hue_of(const cv::Vec3d& shift) {
  const double grey = (shift[0] + shift[1] + shift[2]) / 3.0;
  return shift - cv::Vec3d(grey, grey, grey);
}

double cosine(const cv::Vec3d& a, const cv::Vec3d& b) {
  const double norms = cv::norm(a) * cv::norm(b);
  return norms > 0.0 ? a.dot(b) / norms : 1.0;
}

// Whether a candidate's colour shift differs from the typical colony's: its direction, and
// where the typical colonies are clearly tinted (brown, red, cream), also its tint: a grey
// speck of dust beside brown colonies is dark in every channel alike.
bool off_colour(const cv::Vec3d& shift, const cv::Vec3d& typical, double min_similarity) {
  if (cosine(shift, typical) < min_similarity) return true;
  const double typical_tint = cv::norm(hue_of(typical)) / std::max(1e-9, cv::norm(typical));
  if (typical_tint < kMinTint) return false;
  const double tint = cv::norm(hue_of(shift)) / std::max(1e-9, cv::norm(shift));
  return tint < kMinTintShare * typical_tint || cosine(hue_of(shift), hue_of(typical)) < min_similarity - 0.4;
}

// Colonies of one plate are alike: parts far fainter than the typical colony are glow, agar
// texture or debris. Near the wall (meniscus, reflections, ink, the wall itself) a part must
// also be about as large as a typical colony and of the typical colonies' colour. A plate
// whose colonies differ in hue (`one_colour` false: white and red haematopoietic colonies) has
// no typical colour, and colour rejects nothing there.
// Returns how many parts near the wall were dropped because the interior holds no colony to
// compare them with.
int keep_colony_like(std::vector<ColonyCandidate>& candidates, const ColonyCountParams& p, double edge_level,
                     const DishCircle& dish, const cv::Mat& bgr_roi, cv::Point origin, double count_radius,
                     const cv::Scalar& medium, bool one_colour) {
  if (candidates.empty()) return 0;
  auto in_rim_zone = [&](const ColonyCandidate& c) {
    return dish.found && cv::norm(c.centre_px + cv::Point2d(origin) - dish.centre_px) > p.rim_zone_fraction * count_radius;
  };
  // The typical colony is taken from the interior: the wall can hold more specks than the
  // plate holds colonies. An interior without any (the empty plates of a dilution series) gives
  // nothing to judge the wall's parts by, and on an empty dish they are specks and glare on the
  // wall: they are not counted, and the dish says so.
  std::vector<ColonyCandidate> interior;
  for (const ColonyCandidate& c : candidates)
    if (!in_rim_zone(c)) interior.push_back(c);
  if (interior.empty() && dish.found) {
    const int dropped = static_cast<int>(candidates.size());
    candidates.clear();
    return dropped;
  }
  const std::vector<ColonyCandidate>& reference = interior.empty() ? candidates : interior;
  // The typical colony is taken from the parts of colony size: on a sparse plate dozens of
  // specks of a few pixels each would otherwise be the typical "colony". Colony size is a share
  // of the area-weighted median area (the size of the part an average pixel belongs to).
  std::vector<std::pair<double, double>> areas;  // (area, area)
  for (const ColonyCandidate& c : reference) areas.emplace_back(c.shape.area_px, c.shape.area_px);
  const double pixel_median_area = area_weighted_median(std::move(areas));
  std::vector<double> peaks, sizes;
  for (const ColonyCandidate& c : reference)
    if (c.shape.area_px >= kColonySizeShare * pixel_median_area) {
      peaks.push_back(c.peak);
      sizes.push_back(c.shape.area_px);
    }
  const double typical_rise = median_of(std::move(peaks)) - edge_level;
  const double typical_area = std::max(1.0, median_of(std::move(sizes)));
  std::vector<double> shift[3];
  for (const ColonyCandidate& c : candidates) {
    if (in_rim_zone(c) || c.peak - edge_level < p.min_relative_peak * typical_rise) continue;
    const cv::Vec3d d = colour_shift(c, bgr_roi, medium);
    for (int k = 0; k < 3; ++k) shift[k].push_back(d[k]);
  }
  const cv::Vec3d typical_shift(median_of(shift[0]), median_of(shift[1]), median_of(shift[2]));
  std::erase_if(candidates, [&](const ColonyCandidate& c) {
    const double rise = c.peak - edge_level;
    const bool small = c.shape.area_px < p.rim_min_relative_area * typical_area;
    auto off_colour_part = [&] {
      return one_colour && off_colour(colour_shift(c, bgr_roi, medium), typical_shift, p.rim_min_colour_similarity);
    };
    if (!in_rim_zone(c)) return rise < p.min_relative_peak * typical_rise || (small && off_colour_part());
    return rise < p.rim_min_relative_peak * typical_rise || small || off_colour_part();
  });
  return 0;
}

// Two round colonies overlapping by about a radius leave a solid oval with neither a notch nor
// a neck to split it at (their disks meet where neither outline nor width narrows much): as wide
// as a typical colony, elongated, and larger. Only where the plate's colonies are round: an oval
// among ovals is one colony.
bool overlapping_pair(const BlobShape& shape, double typical_area, double typical_elongation,
                      const ColonyCountParams& p) {
  if (p.pair_min_elongation <= 0.0 || typical_elongation > p.round_max_elongation) return false;
  const double width_ratio = shape.inscribed_radius_px / std::sqrt(typical_area / std::numbers::pi);
  return shape.elongation >= p.pair_min_elongation && width_ratio >= kPairWidthRange[0] &&
         width_ratio <= kPairWidthRange[1] && shape.area_px >= kPairMinArea * typical_area;
}

Colony to_colony(const ColonyCandidate& c, cv::Point origin, double pixel_size_um) {
  Colony colony;
  colony.centre_px = c.centre_px + cv::Point2d(origin);
  colony.outline = c.shape.outline;
  for (cv::Point& q : colony.outline) q += origin + c.box.tl();
  colony.area_um2 = c.shape.area_px * pixel_size_um * pixel_size_um;
  colony.diameter_um = 2.0 * std::sqrt(colony.area_um2 / std::numbers::pi);
  colony.solidity = c.shape.solidity;
  colony.from_split = c.from_split;
  colony.peak_contrast = c.peak;
  return colony;
}

}  // namespace

int ColonyCount::count_of(ColonyClass cls) const {
  int n = 0;
  for (const Colony& c : colonies)
    if (c.cls == cls) n += c.cluster_of;
  return n;
}

ColonyCount count_colonies(const cv::Mat& image, const ColonyCountParams& p) {
  check_params(p);
  const auto t0 = std::chrono::steady_clock::now();
  ColonyCount out;
  std::vector<std::string> notes;
  const cv::Mat bgr = to_bgr8(image, notes);
  out.flags = notes;
  cv::Mat grey;
  cv::cvtColor(bgr, grey, cv::COLOR_BGR2GRAY);

  out.dish = p.find_dish ? find_dish(grey) : whole_image_dish(grey.size());
  if (p.find_dish && !out.dish.found) out.flags.push_back("dish_not_found_whole_image_used");
  const double dish_diameter_px = out.dish.found ? 2.0 * out.dish.radius_px : std::min(grey.cols, grey.rows);
  out.pixel_size_um = p.pixel_size_um > 0.0 ? p.pixel_size_um : p.dish_diameter_mm * 1000.0 / dish_diameter_px;
  const double px_per_um = 1.0 / out.pixel_size_um;

  // Counting region: the dish minus a margin inside the rim, cropped to its bounding box.
  cv::Mat full_mask(grey.size(), CV_8U, cv::Scalar(0));
  const double count_radius = out.dish.radius_px * (1.0 - (out.dish.found ? p.rim_margin_fraction : 0.0));
  if (out.dish.found) {
    cv::circle(full_mask, out.dish.centre_px, static_cast<int>(count_radius), cv::Scalar(255), cv::FILLED);
  } else {
    full_mask.setTo(255);
  }
  const cv::Rect roi = cv::boundingRect(full_mask);
  if (roi.area() == 0) throw std::invalid_argument("the dish lies outside the image");
  const cv::Mat mask = full_mask(roi);
  const double dish_area_px = cv::countNonZero(mask);
  out.dish_area_cm2 = dish_area_px * out.pixel_size_um * out.pixel_size_um * 1e-8;

  // Reduced copy for background and polarity, with the outside filled by the medium level so
  // the dark (or bright) surround does not leak into the background estimate.
  const double window_px = p.background_window_fraction * dish_diameter_px;
  const double shrink = std::max(1.0, window_px / 14.0);
  cv::Mat small, small_mask;
  cv::resize(grey(roi), small, cv::Size(), 1.0 / shrink, 1.0 / shrink, cv::INTER_AREA);
  grey.release();  // full-size images are freed once used: their memory serves the next ones
  small.convertTo(small, CV_32F);
  cv::resize(mask, small_mask, small.size(), 0, 0, cv::INTER_NEAREST);
  extend_inside_values(small, small_mask);

  Polarity polarity = p.polarity;
  if (polarity == Polarity::automatic) {
    cv::Mat small8, median_bg, residual;
    small.convertTo(small8, CV_8U);
    const int k = std::max(3, static_cast<int>(window_px / shrink) | 1);
    cv::medianBlur(small8, median_bg, k);
    cv::subtract(small, cv::Mat_<float>(median_bg), residual, cv::noArray(), CV_32F);
    const Spread r = spread_inside(residual, small_mask, 1);
    polarity = r.high_tail >= r.low_tail ? Polarity::light : Polarity::dark;
  }
  out.polarity_used = polarity;
  // The image the colonies stand out in (colour_contrast.hpp), chosen from what stands out of
  // the reduced grey level and strongest channel once their background is removed.
  const bool light = polarity == Polarity::light;
  if (!light) small = 255.0f - small;
  ContrastChoice contrast;
  {
    auto residual_of = [&](const cv::Mat& reduced) {
      Residual r{reduced - background_of(reduced, window_px / shrink), 0.0};
      const Spread s = spread_inside(r.image, small_mask, 1);
      r.level = std::max(p.min_contrast_levels, s.median + p.seed_sigma * s.sigma);
      return r;
    };
    cv::Mat small_bgr8, small_bgr, channel;
    cv::resize(bgr(roi), small_bgr8, small.size(), 0, 0, cv::INTER_AREA);
    small_bgr8.convertTo(small_bgr, CV_32FC3);
    channel = strongest_channel(small_bgr8, light);
    extend_inside_values(channel, small_mask);
    contrast = choose_contrast(small_bgr, small_mask, residual_of(small), residual_of(channel), light);
  }
  out.contrast = to_string(contrast.kind);
  cv::Mat g = contrast_image(bgr(roi), contrast);
  cv::resize(g, small, small.size(), 0, 0, cv::INTER_AREA);
  extend_inside_values(small, small_mask);

  double bg_radius_small = window_px / shrink;
  cv::Mat bg_small = background_of(small, bg_radius_small);
  const double widest = widest_blob_radius(small, bg_small, small_mask, p.threshold_sigma, p.min_contrast_levels,
                                           p.max_background_window_fraction * dish_diameter_px / shrink);
  if (widest > p.background_fit_fraction * bg_radius_small) {
    bg_radius_small = std::min(widest / p.background_fit_fraction, p.max_background_window_fraction * dish_diameter_px / shrink);
    bg_small = background_of(small, bg_radius_small);
  }
  cv::Mat bg;
  cv::resize(bg_small, bg, g.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat signal = bg;  // the upscaled background's buffer becomes the signal: no new full-size image
  cv::subtract(g, bg, signal);
  g.release();
  const double sigma_px = std::max(0.7, p.smoothing_fraction * dish_diameter_px);
  cv::GaussianBlur(signal, signal, cv::Size(0, 0), sigma_px);
  const Spread noise = spread_inside(signal, mask, 3);
  const double edge_level = std::max(p.min_contrast_levels, noise.median + p.threshold_sigma * noise.sigma);
  const double seed_level = std::max(1.5 * p.min_contrast_levels, noise.median + p.seed_sigma * noise.sigma);

  ColonyFinderParams finder;
  finder.edge_level = edge_level;
  finder.seed_level = seed_level;
  finder.level_step = std::max(1.0, p.tree_step_sigma * noise.sigma);
  finder.min_dip = std::max(p.split_min_dip_levels, p.split_min_dip_sigma * noise.sigma);
  const double min_diameter_um = p.classes.enabled ? p.classes.min_colony_diameter_um : p.min_colony_diameter_um;
  finder.min_radius_px = 0.5 * std::max(p.min_colony_diameter_px, min_diameter_um * px_per_um);
  finder.max_radius_px = 0.5 * p.max_colony_diameter_um * px_per_um;
  finder.round_max_elongation = p.round_max_elongation;
  finder.round_min_solidity = p.round_min_solidity;
  finder.appendage_open_fraction = p.appendage_open_fraction;
  finder.neck_ratio = p.split_neck_ratio;
  finder.min_thickness_fraction = p.min_thickness_fraction;
  finder.max_elongation = p.max_elongation;
  finder.min_compactness = p.min_compactness;
  finder.min_dip_fraction = p.split_min_dip_fraction;
  finder.shoulder_min_compactness = p.shoulder_min_compactness;
  finder.shoulder_flank_margin = p.shoulder_flank_margin;
  finder.relief_max_cover = p.relief_max_cover;
  if (p.classes.enabled) finder.min_dip_fraction = p.classes.min_dip_fraction;
  std::vector<ColonyCandidate> candidates = find_colonies(signal, mask, finder);
  if (keep_colony_like(candidates, p, edge_level, out.dish, bgr(roi), roi.tl(), count_radius, cv::mean(bgr(roi), mask),
                       contrast.kind != ContrastKind::strongest_channel) > 0)
    out.flags.push_back("wall_parts_not_counted");

  const ColonyClassifier classifier(p.classes, bgr, full_mask);
  const double typical_area = median_area(candidates);
  const double typical_elongation = median_shape(candidates, [](const BlobShape& s) { return s.elongation; }, 1.0);
  double colony_area_px = 0.0;
  for (const ColonyCandidate& c : candidates) {
    Colony colony = to_colony(c, roi.tl(), out.pixel_size_um);
    if (c.shape.solidity <= p.cluster_max_solidity && c.shape.area_px >= p.cluster_min_colonies * typical_area) {
      colony.cluster_of = static_cast<int>(std::lround(c.shape.area_px / typical_area));
    } else if (overlapping_pair(c.shape, typical_area, typical_elongation, p)) {
      colony.cluster_of = 2;
    }
    classifier.measure(colony, signal, roi.tl());
    colony_area_px += c.shape.area_px;
    out.colonies.push_back(std::move(colony));
  }
  if (std::any_of(out.colonies.begin(), out.colonies.end(), [](const Colony& c) { return c.cluster_of > 1; }))
    out.flags.push_back("clusters_counted_by_area");
  for (const Colony& c : out.colonies) out.count += c.cluster_of;
  if (out.dish_area_cm2 > 0 && out.count / out.dish_area_cm2 > p.too_many_per_cm2) {
    out.too_many_to_count = true;
    out.flags.push_back("too_many_to_count");
  }
  if (colony_area_px > p.max_coverage_fraction * dish_area_px) {
    out.too_many_to_count = true;
    out.flags.push_back("confluent_growth");
  }
  if (p.cells_plated > 0.0) out.cfu_per_1e5_cells = out.count / p.cells_plated * 1e5;
  out.analysis_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace assay::protocols::imaging

#include "assay/protocols/imaging/cell_counter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "imaging/blob_scale_space.hpp"
#include "imaging/image_prep.hpp"
#include "imaging/stain_signal.hpp"

namespace assay::protocols::imaging {
namespace {

// A blob of radius r answers the normalised LoG most at sigma = r / sqrt(2): diameter 2*sqrt(2)*sigma.
constexpr double kDiameterPerSigma = 2.0 * std::numbers::sqrt2;
// The strong cells that set the field's contrast and size: blobs above this share of the 90th
// percentile contrast.
constexpr double kStrongShareOfP90 = 0.5;
// A pore holding dye, blurred, peaks up to about 1.4 pore diameters: cells start above that
// (1.2 let dye-holding pores through on empty simulated membranes).
constexpr double kSmallestCellPerPore = 1.4;
// Working resolution of the size search (finest sigma, px) and of the detection: coarser is
// faster, finer keeps touching cells apart; 2.5 px measured best on both benchmark sets.
constexpr double kSizeSearchWorkingSigmaPx = 1.2;
constexpr double kDetectionWorkingSigmaPx = 2.5;

}  // namespace

void check_cell_count_params(const CellCountParams& p) {
  auto require = [](bool ok, const char* name, const std::string& what) {
    if (!ok) throw std::invalid_argument(std::string("cell count parameter ") + name + " " + what);
  };
  auto finite = [](double v) { return std::isfinite(v); };
  require(finite(p.pixel_size_um) && p.pixel_size_um >= 0, "pixel_size_um",
          "must be >= 0 (0 = unknown), got " + std::to_string(p.pixel_size_um));
  require(finite(p.pore_diameter_um) && p.pore_diameter_um >= 0, "pore_diameter_um", "must be >= 0");
  require(finite(p.min_cell_diameter_um) && p.min_cell_diameter_um > 0, "min_cell_diameter_um", "must be > 0");
  require(finite(p.max_cell_diameter_um) && p.max_cell_diameter_um > p.min_cell_diameter_um, "max_cell_diameter_um",
          "must be above min_cell_diameter_um");
  require(finite(p.typical_cell_diameter_um) && p.typical_cell_diameter_um >= 0, "typical_cell_diameter_um",
          "must be >= 0 (0 = measured)");
  require(finite(p.min_cell_diameter_px) && p.min_cell_diameter_px >= 3, "min_cell_diameter_px", "must be >= 3");
  require(finite(p.size_tolerance) && p.size_tolerance > 1.0, "size_tolerance", "must be > 1");
  require(finite(p.min_contrast_od) && p.min_contrast_od > 0, "min_contrast_od", "must be > 0");
  require(finite(p.min_relative_contrast) && p.min_relative_contrast >= 0 && p.min_relative_contrast < 1,
          "min_relative_contrast", "must be in [0, 1)");
  require(finite(p.min_stain_match) && p.min_stain_match >= -1 && p.min_stain_match <= 1, "min_stain_match",
          "must be in [-1, 1]");
  require(finite(p.min_roundness) && p.min_roundness >= 0 && p.min_roundness < 1, "min_roundness",
          "must be in [0, 1)");
  require(finite(p.min_separation) && p.min_separation >= 0 && p.min_separation < 2, "min_separation",
          "must be in [0, 2)");
  require(finite(p.pressed_cell_scale) && p.pressed_cell_scale >= 0 && p.pressed_cell_scale <= 1,
          "pressed_cell_scale", "must be in [0, 1] (0 = off)");
  require(finite(p.pressed_contrast_factor) && p.pressed_contrast_factor >= 1, "pressed_contrast_factor",
          "must be >= 1");
}

namespace {

double percentile_of(std::vector<double> v, double q) {
  if (v.empty()) return 0.0;
  auto it = v.begin() + static_cast<long>(q * (v.size() - 1));
  std::nth_element(v.begin(), it, v.end());
  return *it;
}

// Blobs that are not nested in a stronger one and hold no stronger one: across scales, the
// cell wins over the chromatin texture inside it (weaker) and over the clump around it (the
// gaps between cells dilute the clump's contrast). Strongest first, as given.
std::vector<ScaleSpaceBlob> dominant_blobs(const std::vector<ScaleSpaceBlob>& blobs, double min_roundness) {
  std::vector<ScaleSpaceBlob> kept;
  for (const auto& b : blobs) {
    if (b.roundness < min_roundness) continue;
    bool nested = false;
    for (const auto& k : kept) {
      const double gap = cv::norm(k.centre_px - b.centre_px);
      if (gap < std::numbers::sqrt2 * std::max(k.sigma_px, b.sigma_px)) {
        nested = true;
        break;
      }
    }
    if (!nested) kept.push_back(b);
  }
  return kept;
}

// The size (sigma, px) of the field's typical cell: median over the dominant blobs above half
// the 90th percentile contrast, weighted by contrast x area (the stain each holds, so that a
// few cells outweigh many weak pores or specks). 0 when the field has no blob.
struct TypicalCell {
  double sigma_px = 0.0;
  double contrast = 0.0;  // contrast-weighted median contrast of the strong blobs
};

template <typename IsStained>
TypicalCell typical_cell(const std::vector<ScaleSpaceBlob>& all, double min_sigma_px, double min_roundness,
                         IsStained is_stained) {
  std::vector<ScaleSpaceBlob> blobs = dominant_blobs(all, min_roundness);
  std::erase_if(blobs, [&](const ScaleSpaceBlob& b) { return b.sigma_px < min_sigma_px || !is_stained(b); });
  std::vector<double> contrasts;
  for (const auto& b : blobs) contrasts.push_back(b.contrast);
  if (contrasts.empty()) return {};
  const double strong = kStrongShareOfP90 * percentile_of(contrasts, 0.9);
  std::vector<std::pair<double, double>> by_size, by_contrast;  // (value, weight)
  double total = 0.0;
  for (const auto& b : blobs)
    if (b.contrast >= strong) {
      const double w = b.contrast * b.sigma_px * b.sigma_px;
      by_size.emplace_back(b.sigma_px, w);
      by_contrast.emplace_back(b.contrast, w);
      total += w;
    }
  auto weighted_median = [total](std::vector<std::pair<double, double>>& v) {
    std::sort(v.begin(), v.end());
    double seen = 0.0;
    for (const auto& [value, w] : v)
      if ((seen += w) >= 0.5 * total) return value;
    return v.back().first;
  };
  return {weighted_median(by_size), weighted_median(by_contrast)};
}

double cosine(const cv::Vec3f& a, const cv::Vec3f& b) {
  const double n = cv::norm(a) * cv::norm(b);
  return n > 0 ? a.dot(b) / n : 0.0;
}

}  // namespace

CellCount count_stained_cells(const cv::Mat& image, const CellCountParams& p) {
  check_cell_count_params(p);
  const auto t0 = std::chrono::steady_clock::now();
  CellCount result;
  std::vector<std::string> notes;
  const cv::Mat bgr = to_bgr8(image, notes);
  const bool grey = std::find(notes.begin(), notes.end(), "grey input: colour tests disabled") != notes.end();
  if (grey) result.flags.push_back("grey_image_no_colour_test");
  const bool known_scale = p.pixel_size_um > 0;
  const double px_per_um = known_scale ? 1.0 / p.pixel_size_um : 0.0;
  if (known_scale) result.field_area_mm2 = bgr.total() * p.pixel_size_um * p.pixel_size_um * 1e-6;

  // Size range a cell may have, in pixels.
  const double short_side = std::min(bgr.cols, bgr.rows);
  const double min_d_px = known_scale ? std::max(p.min_cell_diameter_um, kSmallestCellPerPore * p.pore_diameter_um) * px_per_um
                                      : p.min_cell_diameter_px;
  const double max_d_px = known_scale ? p.max_cell_diameter_um * px_per_um : short_side / 3.0;
  if (!(max_d_px > min_d_px))
    throw std::invalid_argument("cell count: image " + std::to_string(bgr.cols) + "x" + std::to_string(bgr.rows) +
                                " is too small for cells of " + std::to_string(min_d_px) + " px");

  // 1. Stain density above the local background (window: a few of the largest cells).
  const StainField stain = measure_stain(bgr, std::max(1.5 * max_d_px, 8.0));
  if (stain.light_objects) result.flags.push_back("light_objects_inverted");
  result.stain_colour = stain.stain_colour;

  // 2. The typical cell size of this field.
  ScaleSpaceRange all;
  // From half the smallest cell: pores and specks must peak at their own size, not at the edge
  // of the search, or they would pass for the smallest cells.
  all.min_sigma_px = std::max(0.5 * min_d_px, std::min(min_d_px, p.min_cell_diameter_px)) / kDiameterPerSigma;
  all.max_sigma_px = max_d_px / kDiameterPerSigma;
  all.finest_working_sigma_px = kSizeSearchWorkingSigmaPx;
  all.max_working_side_px = 512;
  const std::vector<ScaleSpaceBlob> size_search = find_scale_space_blobs(stain.stain, all, p.min_contrast_od);
  // A blob has the stain's colour when what makes it (not the patch it sits on) points along
  // the stain's density direction. Grey images cannot tell.
  auto is_stained = [&](const ScaleSpaceBlob& b) {
    return grey || cosine(blob_density(stain.density, b.centre_px, std::numbers::sqrt2 * b.sigma_px),
                          stain.stain_colour) >= p.min_stain_match;
  };
  const TypicalCell typical = typical_cell(size_search, min_d_px / kDiameterPerSigma, p.min_roundness, is_stained);
  const double sigma_t = p.typical_cell_diameter_um > 0 && known_scale
                             ? p.typical_cell_diameter_um * px_per_um / kDiameterPerSigma
                             : typical.sigma_px;
  result.typical_cell_diameter_px = sigma_t * kDiameterPerSigma;
  // Faint cells down to this share of the field's typical contrast are cells; fainter is texture.
  const double floor = std::max(p.min_contrast_od, p.min_relative_contrast * typical.contrast);

  // 3. Cells: scale-space maxima near the typical size. A speck or pore peaks at a smaller
  // scale, a smear or a blot from below the membrane at a larger one: neither is in range.
  std::vector<ScaleSpaceBlob> blobs;
  if (sigma_t > 0) {
    ScaleSpaceRange near;
    near.min_sigma_px = std::max(min_d_px / kDiameterPerSigma, sigma_t / p.size_tolerance);
    near.max_sigma_px = std::min(max_d_px / kDiameterPerSigma, sigma_t * p.size_tolerance);
    near.min_sigma_px = std::min(near.min_sigma_px, near.max_sigma_px);
    near.finest_working_sigma_px = kDetectionWorkingSigmaPx;
    blobs = find_scale_space_blobs(stain.stain, near, p.min_contrast_od);
  }
  // Blobs of the size search that fall outside the cell range are reported as rejections.
  for (const auto& b : size_search)
    if (b.contrast >= floor) {
      if (b.sigma_px < sigma_t / p.size_tolerance) ++result.rejected_pores;
      if (b.sigma_px > sigma_t * p.size_tolerance) ++result.rejected_blurred;
    }
  // 4. Rejections and one cell per place: streaks, other colours, too faint, too close.
  const double min_gap_px = p.min_separation * sigma_t * kDiameterPerSigma;
  std::vector<const ScaleSpaceBlob*> accepted;
  for (const auto& b : blobs) {  // strongest first
    if (b.contrast < floor) break;
    if (b.roundness < p.min_roundness) {
      ++result.rejected_streaks;
      continue;
    }
    if (!is_stained(b)) {
      ++result.rejected_debris;
      continue;
    }
    bool taken = false;
    for (const ScaleSpaceBlob* a : accepted)
      if (cv::norm(a->centre_px - b.centre_px) < min_gap_px) taken = true;
    if (!taken) accepted.push_back(&b);
  }
  // 5. A cell pressed against a darker one: a peak at a smaller scale that is no scale-space
  // maximum (the neighbour's surround holds it down), within one typical diameter of a cell
  // found, and not closer than min_separation to any. It must stand out more than a lone cell.
  std::vector<ScaleSpaceBlob> pressed;
  if (sigma_t > 0 && p.pressed_cell_scale > 0) {
    const double typical_d = sigma_t * kDiameterPerSigma;
    pressed = find_blobs_at_scale(stain.stain, p.pressed_cell_scale * sigma_t, min_gap_px,
                                  p.pressed_contrast_factor * floor);
    const std::size_t found = accepted.size();
    for (const auto& b : pressed) {
      if (b.half_scale_ratio > 1.0 || b.roundness < p.min_roundness || !is_stained(b)) continue;
      bool taken = false, beside = false;
      for (std::size_t i = 0; i < accepted.size(); ++i) {
        const double gap = cv::norm(accepted[i]->centre_px - b.centre_px);
        taken = taken || gap < min_gap_px;
        beside = beside || (i < found && gap < typical_d);
      }
      if (beside && !taken) accepted.push_back(&b);
    }
  }
  const double um_per_px = known_scale ? p.pixel_size_um : 1.0;
  for (const ScaleSpaceBlob* b : accepted) {
    DetectedCell cell;
    cell.centre_px = b->centre_px;
    const double r_px = std::numbers::sqrt2 * b->sigma_px;
    cell.diameter_um = 2.0 * r_px * um_per_px;
    cell.area_um2 = std::numbers::pi * std::pow(0.5 * cell.diameter_um, 2);
    cell.contrast = b->contrast;
    cell.roundness = b->roundness;
    for (const ScaleSpaceBlob* o : accepted)
      if (o != b && cv::norm(o->centre_px - b->centre_px) < std::numbers::sqrt2 * (b->sigma_px + o->sigma_px))
        cell.from_split = true;
    cv::ellipse2Poly(cv::Point(cell.centre_px), cv::Size(static_cast<int>(r_px), static_cast<int>(r_px)), 0, 0, 360,
                     15, cell.outline);
    result.cells.push_back(std::move(cell));
  }
  result.count = static_cast<int>(result.cells.size());
  if (result.count == 0) result.flags.push_back("empty_field");
  result.analysis_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace assay::protocols::imaging

#include "assay/protocols/imaging/cell_counter.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numbers>
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "imaging/image_prep.hpp"
#include "imaging/touching_split.hpp"

namespace assay::protocols::imaging {
namespace {

void check_params(const CellCountParams& p) {
  auto positive = [](double v, const char* name) {
    if (!(v > 0.0) || !std::isfinite(v))
      throw std::invalid_argument(std::string("cell count parameter ") + name +
                                  " must be a positive number, got " + std::to_string(v));
  };
  positive(p.pixel_size_um, "pixel_size_um");
  positive(p.pore_diameter_um, "pore_diameter_um");
  positive(p.min_cell_diameter_um, "min_cell_diameter_um");
  positive(p.max_cell_diameter_um, "max_cell_diameter_um");
  positive(p.typical_cell_diameter_um, "typical_cell_diameter_um");
  positive(p.background_window_um, "background_window_um");
  positive(p.min_contrast, "min_contrast");
  if (p.min_cell_diameter_um >= p.max_cell_diameter_um)
    throw std::invalid_argument("min_cell_diameter_um must be below max_cell_diameter_um");
  if (p.split_neck_ratio <= 0.0 || p.split_neck_ratio > 1.0)
    throw std::invalid_argument("split_neck_ratio must be in (0, 1]");
}

// Membrane brightness without the cells: a closing (cells are dark) at reduced resolution.
cv::Mat membrane_background(const cv::Mat& signal, double radius_px) {
  const double shrink = std::max(1.0, radius_px / 12.0);
  cv::Mat small, closed, bg;
  cv::resize(signal, small, cv::Size(), 1.0 / shrink, 1.0 / shrink, cv::INTER_AREA);
  const int r = std::max(1, static_cast<int>(std::lround(radius_px / shrink)));
  cv::morphologyEx(small, closed, cv::MORPH_CLOSE, disk_kernel(r));
  cv::blur(closed, closed, cv::Size(2 * r + 1, 2 * r + 1));
  cv::resize(closed, bg, signal.size(), 0, 0, cv::INTER_LINEAR);
  return bg;
}

double channel_median(const cv::Mat& channel) {
  std::vector<unsigned char> v;
  for (int y = 0; y < channel.rows; y += 4)
    for (int x = 0; x < channel.cols; x += 4) v.push_back(channel.at<unsigned char>(y, x));
  auto mid = v.begin() + static_cast<long>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return std::max(1.0, static_cast<double>(*mid));
}

}  // namespace

CellCount count_stained_cells(const cv::Mat& image, const CellCountParams& p) {
  check_params(p);
  const auto t0 = std::chrono::steady_clock::now();
  CellCount result;
  std::vector<std::string> notes;
  const cv::Mat bgr = to_bgr8(image, notes);
  const bool grey = std::find(notes.begin(), notes.end(), "grey input: colour tests disabled") != notes.end();
  if (grey) result.flags.push_back("grey_image_no_colour_test");
  const double um = 1.0 / p.pixel_size_um;  // pixels per micrometre
  result.field_area_mm2 = bgr.total() * p.pixel_size_um * p.pixel_size_um * 1e-6;

  std::vector<cv::Mat> bgr_planes;
  cv::split(bgr, bgr_planes);
  // Crystal violet absorbs green most: the green plane carries the stain contrast.
  cv::Mat signal;
  bgr_planes[1].convertTo(signal, CV_32F);
  const cv::Mat bg = membrane_background(signal, 0.5 * p.background_window_um * um);
  cv::Mat darkness = (bg - signal) / cv::max(bg, 1.0f);
  darkness = cv::max(darkness, 0.0f);

  // Pores are dark dots smaller than the pore-sized disk: an opening removes them.
  const int pore_r = std::max(1, static_cast<int>(std::lround(0.7 * p.pore_diameter_um * um)));
  cv::Mat opened;
  cv::morphologyEx(darkness, opened, cv::MORPH_OPEN, disk_kernel(pore_r));
  const double noise = robust_noise_sigma(darkness, cv::Mat(darkness.size(), CV_8U, cv::Scalar(255)));
  const double threshold = std::max(p.min_contrast, 4.0 * noise);
  cv::Mat mask = opened > threshold;

  cv::Mat grad_x, grad_y, grad;
  cv::Sobel(darkness, grad_x, CV_32F, 1, 0, 3, 1.0 / 8.0);
  cv::Sobel(darkness, grad_y, CV_32F, 0, 1, 3, 1.0 / 8.0);
  cv::magnitude(grad_x, grad_y, grad);

  const double ratio_bg = (channel_median(bgr_planes[2]) + channel_median(bgr_planes[0])) /
                          (2.0 * channel_median(bgr_planes[1]));
  const double typical_area_px = std::numbers::pi * std::pow(0.5 * p.typical_cell_diameter_um * um, 2);
  const double min_area_px = std::numbers::pi * std::pow(0.5 * p.min_cell_diameter_um * um, 2);
  const double max_area_px = std::numbers::pi * std::pow(0.5 * p.max_cell_diameter_um * um, 2);
  SplitParams split;
  split.min_radius_px = 0.3 * p.typical_cell_diameter_um * um;
  split.neck_ratio = p.split_neck_ratio;
  split.intensity_seeds = true;  // nuclei stain darkest: one seed per cell in packed clumps
  cv::Mat stain;  // darkness smoothed over about a micrometre, for the nucleus seeds
  cv::GaussianBlur(darkness, stain, cv::Size(0, 0), std::max(0.7, 1.5 * um));

  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(mask, labels, stats, centroids, 8, CV_32S);
  for (int i = 1; i < n; ++i) {
    const int area = stats.at<int>(i, cv::CC_STAT_AREA);
    if (area < 0.5 * min_area_px) {
      ++result.rejected_pores;
      continue;
    }
    const cv::Rect box(stats.at<int>(i, cv::CC_STAT_LEFT) - 1, stats.at<int>(i, cv::CC_STAT_TOP) - 1,
                       stats.at<int>(i, cv::CC_STAT_WIDTH) + 2, stats.at<int>(i, cv::CC_STAT_HEIGHT) + 2);
    const cv::Rect roi = box & cv::Rect(0, 0, mask.cols, mask.rows);
    cv::Mat blob = (labels(roi) == i);
    const cv::Scalar colour = cv::mean(bgr(roi), blob);
    const double contrast = cv::mean(darkness(roi), blob)[0];
    std::vector<std::vector<cv::Point>> contours;
    cv::findContours(blob.clone(), contours, cv::RETR_EXTERNAL, cv::CHAIN_APPROX_NONE);
    double edge = 0.0;
    std::size_t edge_n = 0;
    for (const auto& c : contours)
      for (const cv::Point& q : c) edge += grad(roi).at<float>(q), ++edge_n;
    const double sharpness = edge_n ? (edge / edge_n) * um / std::max(contrast, 1e-6) : 0.0;
    if (sharpness < p.min_edge_sharpness_per_um) {
      ++result.rejected_blurred;
      continue;
    }
    const double purple = (colour[2] + colour[0]) / (2.0 * std::max(colour[1], 1.0)) / ratio_bg;
    if (!grey && purple < p.min_purple_ratio) {
      ++result.rejected_debris;
      continue;
    }
    const auto members = split_touching(blob, roi.tl(), split, stain(roi));
    for (const BlobMember& m : members) {
      if (m.area_px < min_area_px) {
        ++result.rejected_debris;
        continue;
      }
      DetectedCell cell;
      cell.centre_px = m.centre;
      cell.area_um2 = m.area_px * p.pixel_size_um * p.pixel_size_um;
      cell.diameter_um = 2.0 * std::sqrt(cell.area_um2 / std::numbers::pi);
      cell.contrast = contrast;
      cell.sharpness = sharpness;
      cell.from_split = members.size() > 1;
      cell.outline = m.outline;
      // A member still much larger than a cell is an unresolved clump: count it by area.
      const int cells_here = m.area_px > 2.2 * typical_area_px && m.area_px <= 40 * max_area_px
                                 ? static_cast<int>(std::lround(m.area_px / typical_area_px)) : 1;
      if (cells_here > 1 &&
          std::find(result.flags.begin(), result.flags.end(), "clump_counted_by_area") == result.flags.end())
        result.flags.push_back("clump_counted_by_area");
      result.count += cells_here;
      result.cells.push_back(std::move(cell));
    }
  }
  if (result.count == 0) result.flags.push_back("empty_field");
  result.analysis_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace assay::protocols::imaging

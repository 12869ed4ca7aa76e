#include "imaging/blob_scale_space.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {
namespace {

// Sigma, in working pixels, at which find_blobs_at_scale looks: half of it stays >= 1.5 px.
constexpr double kWorkingSigmaAtScale = 3.0;

struct ScaleLayer {
  double sigma = 0.0;
  cv::Mat smoothed;  // the signal blurred at sigma
  cv::Mat response;  // contrast units: 2 * (-sigma^2 * Laplacian)
  cv::Mat local_max; // 3x3 maximum of response
};

ScaleLayer make_layer(const cv::Mat& signal, double sigma) {
  ScaleLayer l;
  l.sigma = sigma;
  cv::GaussianBlur(signal, l.smoothed, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
  cv::Laplacian(l.smoothed, l.response, CV_32F, 1, 1.0, 0.0, cv::BORDER_REFLECT);
  l.response *= -2.0 * sigma * sigma;
  cv::dilate(l.response, l.local_max, cv::Mat::ones(3, 3, CV_8U), {-1, -1}, 1, cv::BORDER_REPLICATE);
  return l;
}

double roundness_at(const cv::Mat& g, int x, int y) {
  if (x < 1 || y < 1 || x >= g.cols - 1 || y >= g.rows - 1) return 1.0;
  const double c = g.at<float>(y, x);
  const double dxx = g.at<float>(y, x + 1) + g.at<float>(y, x - 1) - 2 * c;
  const double dyy = g.at<float>(y + 1, x) + g.at<float>(y - 1, x) - 2 * c;
  const double dxy = 0.25 * (g.at<float>(y + 1, x + 1) + g.at<float>(y - 1, x - 1) - g.at<float>(y + 1, x - 1) -
                             g.at<float>(y - 1, x + 1));
  const double mean = 0.5 * (dxx + dyy), diff = std::sqrt(0.25 * (dxx - dyy) * (dxx - dyy) + dxy * dxy);
  const double l1 = mean - diff, l2 = mean + diff;  // both negative at a bright blob's centre
  if (l1 >= 0) return 0.0;
  return std::clamp(l2 / l1, 0.0, 1.0);
}

}  // namespace

std::vector<ScaleSpaceBlob> find_scale_space_blobs(const cv::Mat& signal_f32, const ScaleSpaceRange& range,
                                                   double min_contrast) {
  double shrink = std::max(1.0, range.min_sigma_px / range.finest_working_sigma_px);
  if (range.max_working_side_px > 0)
    shrink = std::max(shrink, std::max(signal_f32.cols, signal_f32.rows) / static_cast<double>(range.max_working_side_px));
  cv::Mat work;
  if (shrink > 1.0)
    cv::resize(signal_f32, work, cv::Size(), 1.0 / shrink, 1.0 / shrink, cv::INTER_AREA);
  else
    work = signal_f32;
  const double step = std::pow(2.0, 1.0 / range.steps_per_octave);
  const double lo = range.min_sigma_px / shrink, hi = range.max_sigma_px / shrink;
  std::vector<ScaleSpaceBlob> blobs;
  // A rolling window of three scales: below, candidate, above.
  ScaleLayer below = make_layer(work, std::max(0.5, lo / step));
  ScaleLayer here = make_layer(work, lo);
  for (double s = lo; s <= hi * 1.0001; s *= step) {
    ScaleLayer above = make_layer(work, s * step);
    for (int y = 0; y < work.rows; ++y) {
      const float* r = here.response.ptr<float>(y);
      const float* m = here.local_max.ptr<float>(y);
      const float* mb = below.local_max.ptr<float>(y);
      const float* ma = above.local_max.ptr<float>(y);
      for (int x = 0; x < work.cols; ++x) {
        if (r[x] < min_contrast || r[x] < m[x] || r[x] < mb[x] || r[x] <= ma[x]) continue;
        ScaleSpaceBlob b;
        b.centre_px = {(x + 0.5) * shrink - 0.5, (y + 0.5) * shrink - 0.5};
        b.sigma_px = s * shrink;
        b.contrast = r[x];
        b.roundness = roundness_at(here.smoothed, x, y);
        blobs.push_back(b);
      }
    }
    below = std::move(here);
    here = std::move(above);
  }
  std::sort(blobs.begin(), blobs.end(), [](const auto& a, const auto& b) { return a.contrast > b.contrast; });
  return blobs;
}

std::vector<ScaleSpaceBlob> find_blobs_at_scale(const cv::Mat& signal_f32, double sigma_px, double min_gap_px,
                                                double min_contrast) {
  // Work where half the scale is still a pixel and a half.
  const double shrink = std::max(1.0, sigma_px / kWorkingSigmaAtScale);
  cv::Mat work;
  if (shrink > 1.0)
    cv::resize(signal_f32, work, cv::Size(), 1.0 / shrink, 1.0 / shrink, cv::INTER_AREA);
  else
    work = signal_f32;
  const double s = sigma_px / shrink;
  const ScaleLayer here = make_layer(work, s), half = make_layer(work, 0.5 * s);
  const int r = std::max(1, static_cast<int>(std::lround(0.5 * min_gap_px / shrink)));
  cv::Mat peak;
  cv::dilate(here.response, peak, cv::getStructuringElement(cv::MORPH_ELLIPSE, {2 * r + 1, 2 * r + 1}), {-1, -1}, 1,
             cv::BORDER_REPLICATE);
  std::vector<ScaleSpaceBlob> blobs;
  for (int y = 0; y < work.rows; ++y) {
    const float* v = here.response.ptr<float>(y);
    const float* m = peak.ptr<float>(y);
    for (int x = 0; x < work.cols; ++x) {
      if (v[x] < min_contrast || v[x] < m[x]) continue;
      ScaleSpaceBlob b;
      b.centre_px = {(x + 0.5) * shrink - 0.5, (y + 0.5) * shrink - 0.5};
      b.sigma_px = sigma_px;
      b.contrast = v[x];
      b.roundness = roundness_at(here.smoothed, x, y);
      b.half_scale_ratio = half.response.at<float>(y, x) / v[x];
      blobs.push_back(b);
    }
  }
  std::sort(blobs.begin(), blobs.end(), [](const auto& a, const auto& b) { return a.contrast > b.contrast; });
  return blobs;
}

}  // namespace assay::protocols::imaging

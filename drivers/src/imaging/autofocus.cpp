#include "assay/drivers/autofocus.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <map>
#include <sstream>

#include <opencv2/imgproc.hpp>

namespace assay::drivers {
namespace {

std::string format_um(double z_um) {
  std::ostringstream out;
  out.precision(1);
  out << std::fixed << z_um << " um";
  return out.str();
}

Status check_plan(const AutofocusPlan& plan, double start_z_um, const FocusLimits& limits,
                  const FocusSearchSettings& settings) {
  auto bad = [](const std::string& message) {
    return Status{StatusCode::invalid_argument, "autofocus: " + message};
  };
  if (!std::isfinite(plan.range_um) || plan.range_um <= 0.0) {
    return bad("range_um must be a positive number of micrometres");
  }
  if (!(plan.coarse_step_um > 0.0) || !(plan.fine_step_um > 0.0)) {
    return bad("coarse_step_um and fine_step_um must be positive");
  }
  if (plan.fine_step_um > plan.coarse_step_um) {
    return bad("fine_step_um (" + format_um(plan.fine_step_um) +
               ") must not exceed coarse_step_um (" + format_um(plan.coarse_step_um) + ")");
  }
  if (plan.coarse_step_um > plan.range_um) {
    return bad("coarse_step_um (" + format_um(plan.coarse_step_um) +
               ") must not exceed range_um (" + format_um(plan.range_um) + ")");
  }
  if (!(settings.refine_factor >= 2.0)) return bad("refine_factor must be at least 2");
  if (!(limits.min_z_um <= limits.max_z_um)) return bad("z limits are inverted");
  if (!std::isfinite(start_z_um) || start_z_um < limits.min_z_um || start_z_um > limits.max_z_um) {
    return bad("start z " + format_um(start_z_um) + " lies outside the z travel limits");
  }
  return Status::ok();
}

// Samples taken so far, keyed by z; keeps each z evaluated once.
class FocusSamples {
 public:
  FocusSamples(const SharpnessAtZ& sharpness_at_z, std::stop_token stop)
      : sharpness_at_z_(sharpness_at_z), stop_(std::move(stop)) {}

  Status sample(double z_um) {
    double key = std::round(z_um * 1000.0) / 1000.0;  // 1 nm grid: same z, same sample
    if (samples_.count(key) != 0) return Status::ok();
    if (stop_.stop_requested()) return {StatusCode::cancelled, "autofocus was cancelled"};
    auto score = sharpness_at_z_(key);
    if (!score) {
      auto status = score.status();
      return {status.code(), "autofocus at z " + format_um(key) + ": " + status.message()};
    }
    if (!std::isfinite(*score) || *score < 0.0) {
      return {StatusCode::protocol_error,
              "autofocus at z " + format_um(key) + ": sharpness is not a finite non-negative number"};
    }
    samples_[key] = *score;
    ++evaluations_;
    return Status::ok();
  }

  std::map<double, double>::const_iterator best() const {
    return std::max_element(samples_.begin(), samples_.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; });
  }
  const std::map<double, double>& all() const { return samples_; }
  int evaluations() const { return evaluations_; }

 private:
  const SharpnessAtZ& sharpness_at_z_;
  std::stop_token stop_;
  std::map<double, double> samples_;
  int evaluations_ = 0;
};

// Samples lo, lo + step, ... and always hi itself.
Status scan(FocusSamples& samples, double lo, double hi, double step) {
  int count = static_cast<int>(std::floor((hi - lo) / step + 1e-9));
  for (int i = 0; i <= count; ++i) {
    if (auto status = samples.sample(lo + i * step); !status) return status;
  }
  if (lo + count * step < hi - 1e-6) return samples.sample(hi);
  return Status::ok();
}

// Vertex of the parabola through the best sample and its two neighbours, fitted to the log of
// the sharpness (a Gaussian peak is an exact parabola there). Falls back to the best sample.
double refine_peak(const std::map<double, double>& samples,
                   std::map<double, double>::const_iterator best) {
  if (best == samples.begin() || std::next(best) == samples.end()) return best->first;
  auto left = std::prev(best);
  auto right = std::next(best);
  auto value = [](double s) { return std::log(std::max(s, 1e-300)); };
  double x0 = left->first, x1 = best->first, x2 = right->first;
  double y0 = value(left->second), y1 = value(best->second), y2 = value(right->second);
  double d01 = (y1 - y0) / (x1 - x0);
  double d12 = (y2 - y1) / (x2 - x1);
  double curvature = (d12 - d01) / (x2 - x0);
  if (!(curvature < 0.0)) return x1;
  double vertex = 0.5 * (x0 + x1) - d01 / (2.0 * curvature);
  return std::clamp(vertex, x0, x2);
}

}  // namespace

double focus_sharpness(const cv::Mat& image, const SharpnessSettings& settings) {
  if (image.empty()) return 0.0;
  cv::Mat grey;
  if (image.channels() == 3) {
    cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
  } else if (image.channels() == 4) {
    cv::cvtColor(image, grey, cv::COLOR_BGRA2GRAY);
  } else {
    grey = image;
  }
  cv::Mat grey_f;
  grey.convertTo(grey_f, CV_32F);
  double mean = cv::mean(grey_f)[0];
  if (!(mean > 0.0)) return 0.0;
  if (settings.presmooth_sigma_px > 0.0) {
    cv::GaussianBlur(grey_f, grey_f, cv::Size(0, 0), settings.presmooth_sigma_px);
  }
  cv::Mat laplacian;
  cv::Laplacian(grey_f, laplacian, CV_32F, settings.laplacian_aperture_px);
  cv::Scalar lap_mean, lap_sd;
  cv::meanStdDev(laplacian, lap_mean, lap_sd);
  return (lap_sd[0] * lap_sd[0]) / (mean * mean);
}

Result<FocusSearchReport> search_focus(const SharpnessAtZ& sharpness_at_z, double start_z_um,
                                       const AutofocusPlan& plan, std::stop_token stop,
                                       const FocusLimits& limits,
                                       const FocusSearchSettings& settings) {
  if (!sharpness_at_z) return Status{StatusCode::invalid_argument, "autofocus: no sharpness source"};
  if (auto status = check_plan(plan, start_z_um, limits, settings); !status) return status;
  double lo = std::max(start_z_um - plan.range_um / 2.0, limits.min_z_um);
  double hi = std::min(start_z_um + plan.range_um / 2.0, limits.max_z_um);

  FocusSamples samples(sharpness_at_z, std::move(stop));
  double step = std::min(plan.coarse_step_um, std::max(hi - lo, plan.fine_step_um));
  if (auto status = scan(samples, lo, hi, step); !status) return status;

  auto [dullest, sharpest] = std::minmax_element(
      samples.all().begin(), samples.all().end(),
      [](const auto& a, const auto& b) { return a.second < b.second; });
  if (!(sharpest->second > 0.0) ||
      sharpest->second < dullest->second * settings.min_contrast_ratio) {
    return Status{StatusCode::device_error,
                  "autofocus found no focus contrast between z " + format_um(lo) + " and " +
                      format_um(hi) +
                      ": the field looks the same at every z (empty field, lamp off, or the "
                      "focus lies outside the searched range)"};
  }

  while (step > plan.fine_step_um + 1e-9) {
    double next_step = std::max(plan.fine_step_um, step / settings.refine_factor);
    double centre = samples.best()->first;
    double window_lo = std::max(lo, centre - step);
    double window_hi = std::min(hi, centre + step);
    // Align the finer grid on the current best so it is part of the next level.
    double first = centre - std::floor((centre - window_lo) / next_step + 1e-9) * next_step;
    if (auto status = scan(samples, first, window_hi, next_step); !status) return status;
    step = next_step;
  }

  auto best = samples.best();
  FocusSearchReport report;
  report.best_z_um = std::clamp(refine_peak(samples.all(), best), lo, hi);
  report.best_sharpness = best->second;
  report.evaluations = samples.evaluations();
  report.at_range_edge = best == samples.all().begin() || std::next(best) == samples.all().end();
  return report;
}

Result<double> find_best_focus(const SharpnessAtZ& sharpness_at_z, double start_z_um,
                               const AutofocusPlan& plan, std::stop_token stop,
                               const FocusLimits& limits) {
  auto report = search_focus(sharpness_at_z, start_z_um, plan, std::move(stop), limits);
  if (!report) return report.status();
  return report->best_z_um;
}

}  // namespace assay::drivers

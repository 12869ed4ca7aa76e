// Autofocus building blocks shared by every imager: a focus sharpness metric and a
// coarse-to-fine search over z.
//
// focus_sharpness() scores one frame: the variance of the Laplacian of a lightly smoothed grey
// image, divided by the squared mean intensity, so that doubling the exposure (or the gain) does
// not change the score while defocus lowers it. The pre-smoothing keeps pixel noise from
// dominating the score of a featureless field.
//
// find_best_focus() searches z around a start position by calling `sharpness_at_z` (which moves
// the z axis, grabs a frame and scores it): a coarse scan over the whole plan range, then finer
// scans around the best point down to the plan's fine step, then a parabolic fit through the best
// three samples for a sub-step estimate. It returns the best z; it does not move the stage there
// (the caller does). Pure functions, no shared state: safe from any thread; the callback runs on
// the calling thread. Stop requests are honoured between two evaluations (StatusCode::cancelled).
#pragma once

#include <functional>
#include <limits>
#include <stop_token>

#include <opencv2/core.hpp>

#include "assay/drivers/imager.hpp"
#include "assay/drivers/status.hpp"

namespace assay::drivers {

struct SharpnessSettings {
  double presmooth_sigma_px = 1.0;  // Gaussian sigma applied before the Laplacian; 0 = none
  int laplacian_aperture_px = 3;    // 1, 3, 5 or 7
};

// Exposure-normalised variance of the Laplacian; 0 for an empty or black image.
// Accepts 8- or 16-bit, grey or BGR(A) images.
double focus_sharpness(const cv::Mat& image, const SharpnessSettings& settings = {});

// Hard z travel limits the search never leaves (the stage's soft limits, in micrometres).
struct FocusLimits {
  double min_z_um = -std::numeric_limits<double>::infinity();
  double max_z_um = std::numeric_limits<double>::infinity();
};

// Tuning of the search that the AutofocusPlan leaves open.
struct FocusSearchSettings {
  double refine_factor = 4.0;  // each finer level divides the step by this (>= 2)
  // The sharpest sample must beat the dullest by this factor, or the field has no detail to
  // focus on and the search fails rather than return a meaningless z.
  double min_contrast_ratio = 1.05;
};

// Details of a finished search, for logs and tests.
struct FocusSearchReport {
  double best_z_um = 0.0;
  double best_sharpness = 0.0;
  int evaluations = 0;
  bool at_range_edge = false;  // the peak lay on the edge of the searched range
};

using SharpnessAtZ = std::function<Result<double>(double z_um)>;

// Searches start_z_um +- plan.range_um / 2. Fails with invalid_argument for a bad plan,
// device_error when the field shows no focus contrast, cancelled on stop, and passes through any
// error of `sharpness_at_z` (with the z it failed at).
Result<double> find_best_focus(const SharpnessAtZ& sharpness_at_z, double start_z_um,
                               const AutofocusPlan& plan, std::stop_token stop,
                               const FocusLimits& limits = {});

Result<FocusSearchReport> search_focus(const SharpnessAtZ& sharpness_at_z, double start_z_um,
                                       const AutofocusPlan& plan, std::stop_token stop,
                                       const FocusLimits& limits = {},
                                       const FocusSearchSettings& settings = {});

}  // namespace assay::drivers

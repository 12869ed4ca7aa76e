// Round objects of any size: maxima of the scale-normalised Laplacian of Gaussian.
//
// A blob of radius r answers most strongly at sigma = r / sqrt(2), and the normalised response
// at that scale is half its contrast (exact for a Gaussian blob), so responses are reported in
// the units of the input (here: optical density). This is what lets the cell counter measure
// the typical cell size in each image instead of being told it. Pure functions; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct ScaleSpaceBlob {
  cv::Point2d centre_px;
  double sigma_px = 0.0;     // radius ~ sqrt(2) * sigma
  double contrast = 0.0;     // peak stain density above the surroundings (input units)
  double roundness = 1.0;    // smaller / larger Hessian eigenvalue: 1 round, near 0 a ridge
  // find_blobs_at_scale only: response at half the scale over the response at the scale; a
  // speck answers more at half the scale than at a cell's.
  double half_scale_ratio = 0.0;
};

struct ScaleSpaceRange {
  double min_sigma_px = 1.5;
  double max_sigma_px = 20.0;
  double steps_per_octave = 4.0;
  double finest_working_sigma_px = 1.5;  // the image is shrunk until min_sigma_px is this large
  int max_working_side_px = 0;           // > 0: also shrink until the larger side fits
};

// Every scale-space maximum (3x3 in space, against both neighbouring scales) inside the range
// whose contrast reaches min_contrast. Sorted by contrast, strongest first.
std::vector<ScaleSpaceBlob> find_scale_space_blobs(const cv::Mat& signal_f32, const ScaleSpaceRange& range,
                                                   double min_contrast);

// Spatial maxima of the response at one scale (maximum within min_gap_px) above min_contrast.
// Unlike scale-space maxima, a cell pressed against a darker one is still found here: at its
// own scale it stays a peak, though the neighbour's surround keeps it from being a maximum
// across scales. Sorted by contrast, strongest first.
std::vector<ScaleSpaceBlob> find_blobs_at_scale(const cv::Mat& signal_f32, double sigma_px, double min_gap_px,
                                                double min_contrast);

}  // namespace assay::protocols::imaging

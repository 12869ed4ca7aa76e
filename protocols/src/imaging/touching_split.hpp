// Splitting one connected blob of touching round objects (colonies, cells) into its members.
//
// The blob's distance transform has one peak per round member. Peaks closer than
// `min_radius_px` to a higher one are the same member; two peaks joined by a ridge whose
// lowest distance value stays above `neck_ratio` x the smaller peak are one irregular member,
// not two (this is what keeps irregular colonies whole). An optional intensity image adds
// evidence the shape alone cannot give (a dip in brightness between two domes). Each pixel then goes to the
// member whose disk it is deepest inside. Pure function; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct SplitParams {
  double min_radius_px = 2.0;  // peaks of smaller inscribed radius are not members
  double neck_ratio = 0.75;    // ridge / smaller peak above this: do not split
  // With an intensity image: two peaks whose intensity dips between them below this fraction
  // of the dimmer one are two members even when the shape shows no neck (a small colony
  // pressed against a big one).
  double intensity_dip_ratio = 0.85;
  // Also seed members at local brightness maxima (cells with dark nuclei packed into a round
  // clump whose shape has a single peak). Brightness seeds are tried first.
  bool intensity_seeds = false;
  int max_members = 400;       // a blob with more peaks than this is not split further
};

struct BlobMember {
  cv::Point2d centre;  // in the coordinates of the full image
  double radius_px = 0.0;  // inscribed radius at the peak
  int area_px = 0;
  std::vector<cv::Point> outline;  // full-image coordinates
};

// `mask` is CV_8U (non-zero = blob) cropped to the blob's bounding box plus a 1-pixel margin;
// `offset` is the crop's top-left corner in the full image. Returns at least one member when
// the mask has any pixel.
// `intensity`, when not empty, is a CV_32F image of the same crop (background-subtracted signal,
// colonies bright).
std::vector<BlobMember> split_touching(const cv::Mat& mask, cv::Point offset,
                                       const SplitParams& params, const cv::Mat& intensity = {});

}  // namespace assay::protocols::imaging

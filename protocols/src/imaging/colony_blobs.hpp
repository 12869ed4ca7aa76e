// From the thresholded signal to counted colonies: each blob of the threshold is split into
// touching colonies (colony_split.hpp) and each member is judged.
//
// Rejected: blobs that are rim reflections (long arcs in the rim zone that do not split into
// round members), members with a halo (the fringe of a broad glare hump: the signal just outside
// is almost as high as inside), members whose core (the part above half their peak) is narrower
// than `min_core_fraction` of the smallest colony (dust), members larger or more elongated than a colony (lamp
// reflections), and members without a peak of their own. A member that is mostly a low pedestal
// with a small high part (a colony sitting on a diffuse highlight) is thresholded again above the
// pedestal and its parts are judged in its place. Pure function; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

#include "assay/protocols/imaging/colony_counter.hpp"
#include "imaging/colony_classifier.hpp"
#include "imaging/colony_split.hpp"

namespace assay::protocols::imaging {

struct BlobJudge {
  const ColonyCountParams& params;
  const ColonyClassifier& classifier;
  ColonySplitParams split;
  cv::Point origin;         // of `signal` in the full image
  DishCircle dish;
  double count_radius_px = 0.0;
  double pixel_size_um = 1.0;
  double edge_level = 0.0;  // signal levels, 8-bit scale
  double seed_level = 0.0;
  double ring_px = 2.0;     // width of the ring tested for a halo
};

// `binary` CV_8U and `signal` CV_32F of the counting region. Returns the colonies (full-image
// coordinates) and adds the total colony area in pixels to `colony_area_px`.
std::vector<Colony> colonies_in_blobs(const cv::Mat& binary, const cv::Mat& signal, const BlobJudge& judge,
                                      double& colony_area_px, std::vector<std::string>& flags);

// Elongation (major / minor axis) of an outline from its second moments; 1 for a disk.
double elongation_of(const std::vector<cv::Point>& outline);
// Fills the holes of a blob (colonies with a darker centre threshold as rings).
void fill_holes(cv::Mat& blob);

}  // namespace assay::protocols::imaging

// Separating touching colonies in one thresholded blob.
//
// Two cues, each a flooding from the top (flood_regions.hpp): first brightness, since colonies
// are domes and two touching domes leave a dip between them even when their outline shows no
// neck (a small colony pressed against a larger one); then, within each part, the distance
// transform, since two touching round shapes leave a neck even when both are flat and saturated.
// A split is undone when the cut between two parts is long compared with the smaller part (a dip
// across the middle of one textured colony, not a contact line between two) or makes up most of
// the smaller part's outline, or a part is mostly enclosed by others (a bump or a cluster inside
// one colony, as in BFU-E bursts), or
// meets the blob's outline where it has no notch (touching round colonies leave a notch on each
// side of their contact line; a dip inside one round colony does not), which keeps irregular and
// burst-like colonies whole. Pure function; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "imaging/touching_split.hpp"

namespace assay::protocols::imaging {

struct ColonySplitParams {
  double min_dip_levels = 3.0;   // signal units: a dip shallower than this is noise or texture
  double dip_ratio = 0.85;       // saddle / dimmer peak at most this: two domes
  double neck_ratio = 0.85;      // distance-transform neck / smaller peak at most this: two shapes
  double min_radius_px = 2.0;    // inscribed radius of the smallest member
  int min_colony_area_px = 12;   // a part cut off at notches is at least one smallest colony
  double max_cut_ratio = 1.15;   // cut length / equivalent diameter of the smaller part
  double max_shared_outline = 0.5;  // cut / outline of the smaller part
  double max_enclosed_outline = 0.75;  // all its cuts / outline of a part
  double min_notch_depth = 0.15;    // where a cut meets the outline: notch / smaller part's radius
  int max_members = 400;         // a blob with more parts than this is not split
};

// `mask` CV_8U (non-zero = blob) cropped with a margin; `signal` CV_32F of the same crop
// (background-subtracted, colonies bright); `offset` the crop's corner in the full image.
// Members carry centre, area and outline; `radius_px` is not measured (0): nothing downstream
// of the colony counter reads it, and a distance transform per member is not free.
std::vector<BlobMember> split_colonies(const cv::Mat& mask, cv::Point offset, const cv::Mat& signal,
                                       const ColonySplitParams& params);

}  // namespace assay::protocols::imaging

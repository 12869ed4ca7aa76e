// Cutting off a colony that shows only as a bump on a larger one: a short straight cut between
// two notches of the outline.
//
// When a small colony is pressed against a large brighter one, there is no brightness dip
// between them and no neck in the distance transform, but the outline has a notch on each side
// of the contact. A cut between two notches is accepted when both notches are deep compared with
// the part cut off, the cut is short compared with that part, and the part is at least
// `min_area_px`. Irregular colonies with lobes are safe: a lobe is wide where it joins, so its
// cut is long for its size. Pure function; thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct NotchCut {
  double min_notch_depth = 0.15;  // of the cut-off part's equivalent radius
  double min_notch_px = 1.0;      // and at least this many pixels
  double max_cut_ratio = 1.4;     // cut length / cut-off part's equivalent diameter
  int min_area_px = 4;
  int max_cuts = 4;               // per member
};

// Relabels `labels` (CV_32S, 0 = outside, 1..n): parts cut off member k get new labels n+1...
// Returns the new number of labels.
int cut_at_notches(cv::Mat& labels, int n, const NotchCut& rule);

}  // namespace assay::protocols::imaging

// Splitting a blob into the basins of its significant maxima (a watershed by flooding from the
// top, with h-maxima-like marker selection).
//
// Pixels of `mask` are visited from the highest `surface` value down. Each regional maximum
// starts a region; when two regions meet at a saddle the lower one stays a region of its own
// only if it is significant: its peak rises at least `min_drop` above the saddle, the saddle is
// at most `max_saddle_ratio` of its peak, its peak reaches `min_peak`, and it already holds
// `min_area_px` pixels. Otherwise it joins the higher one. Lower pixels go to the region of
// their highest processed neighbour, so boundaries run along the valleys. Used on the
// brightness of domed colonies (a dip between two domes) and on the distance transform (a neck
// between two round shapes). Pure function; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct FloodRule {
  double min_drop = 0.0;          // surface units: peak - saddle must reach this
  double max_saddle_ratio = 1.0;  // saddle / peak must not exceed this
  double min_peak = 0.0;          // surface units
  int min_area_px = 1;            // region size when it meets a higher one
};

// `surface` CV_32F, `mask` CV_8U of the same size. Returns the number of regions n and fills
// `labels` (CV_32S): 0 outside the mask, 1..n inside.
int flood_regions(const cv::Mat& surface, const cv::Mat& mask, const FloodRule& rule, cv::Mat& labels);

// Bounding box of each label 1..n of `labels` (CV_32S) in one pass; index 0 unused, an empty
// rectangle for a label with no pixel. Per-region work then runs on its box, not the whole image.
std::vector<cv::Rect> label_boxes(const cv::Mat& labels, int n);

}  // namespace assay::protocols::imaging

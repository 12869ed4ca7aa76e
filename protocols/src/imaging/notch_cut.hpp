// Two colonies pressed together so far that no neck remains (a small colony whose centre
// barely clears a large one) leave only notches in their joint outline: the two concave corners
// where their circles cross. Cutting the blob along the chord between those corners separates
// them. A blob is cut only where both notches are deep for its size and the chord is short
// beside them; what a cut leaves is judged again by the caller (both pieces must be rounder
// than the whole). Pure function; thread-safe.
#pragma once

#include <optional>
#include <utility>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

// `mask` CV_8U (non-zero inside), one blob. Returns the two pieces (each `mask`-sized) when
// its outline has two notches at least `min_depth_px` deep whose chord cuts it in two.
std::optional<std::pair<cv::Mat, cv::Mat>> cut_at_notches(const cv::Mat& mask, double min_depth_px);

}  // namespace assay::protocols::imaging

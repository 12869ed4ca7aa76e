// The image in which colonies stand out: one float image where colonies are bright.
//
// Colonies differ from the medium by a colour: brown on yellow agar in all three channels, a
// cream colony on black agar in all three the other way, a red burst on pale methylcellulose in
// green and blue only. The difference is measured on the plate itself: the pixels that stand
// out of the reduced grey image (after its background is removed) against those that do not.
// Most colonies differ mainly in brightness, and the grey level is then the better image: it
// keeps the camera's full resolution where colour is sampled coarsely (Bayer, JPEG chroma) and
// is noisier in blue, so touching colonies separate better in it (measured on the real
// photographs: dense plates lose 5-9 % fewer colonies than on the colour projection). Where
// the grey level holds less than half of the colour contrast (a colony that differs in hue
// more than in brightness) the image is projected on the colonies' colour difference instead
// (a matched filter in colour). A plate with too few standing-out pixels (an empty dish) is
// measured on the grey level, inverted for dark colonies.
//
// The weights sum to one in absolute value, so a shift of the same size in every channel keeps
// its size in levels. Pure functions; thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

// Per-channel weights (B, G, R) of the projection; colonies are bright in `bgr . weights`.
struct ColourWeights {
  cv::Vec3d bgr{0.114, 0.587, 0.299};
  bool from_colonies = false;  // false: no colonies stood out to measure a colour from
};

// `small_bgr` CV_32FC3 reduced image with the outside filled by the medium, `small_mask` its
// counting region, `stand_out` CV_8U mask (same size) of the pixels that stand out as colonies
// after polarity. `light` is the polarity: with no measured colour the grey level is used,
// inverted for dark colonies.
ColourWeights colour_weights(const cv::Mat& small_bgr, const cv::Mat& small_mask, const cv::Mat& stand_out, bool light);

// Full-size projection `bgr8 . weights` as CV_32F.
cv::Mat project_colour(const cv::Mat& bgr8, const ColourWeights& weights);

}  // namespace assay::protocols::imaging

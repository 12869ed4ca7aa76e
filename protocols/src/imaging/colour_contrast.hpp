// The image in which colonies stand out: one float image where colonies are bright.
//
// Colonies differ from the medium by a colour: brown on yellow agar in all three channels, a
// cream colony on black agar in all three the other way, a red burst on grey methylcellulose
// in one channel only, and a haematopoietic plate holds white and red colonies at once. What
// stands out is measured on the plate itself, on the reduced image after its background is
// removed, in two images: the grey level and the strongest channel (per pixel the brightest
// channel for light colonies, the darkest for dark ones).
//
// - Most colonies differ mainly in brightness, and the grey level is then the image to count
//   on: it keeps the camera's full resolution where colour is sampled coarsely (Bayer, JPEG
//   chroma) and is noisier in blue, so touching colonies separate better in it (measured on
//   the real photographs: dense plates lose 5-9 % fewer colonies than on a colour image).
// - Where the colonies of one plate differ in hue (white and red haematopoietic colonies; a red
//   colony's grey contrast is a third of its red contrast, a white one's all of it), the grey
//   level would make some far fainter than the others: the strongest channel is counted on.
//   Measured per standing-out blob (larger than dust) as grey contrast over channel contrast:
//   a spread of more than two between the blobs' 20th and 80th percentiles.
// - Where the grey level holds less than half of the colonies' colour difference, the image is
//   projected on that difference (a matched filter in colour).
// A plate with too few standing-out pixels (an empty dish) is counted on the grey level.
//
// Projections are weighted to sum to one in absolute value, so a shift of the same size in
// every channel keeps its size in levels; dark colonies are inverted. Pure functions;
// thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

enum class ContrastKind { grey, colour, strongest_channel };
const char* to_string(ContrastKind kind);

struct ContrastChoice {
  ContrastKind kind = ContrastKind::grey;
  cv::Vec3d bgr{0.114, 0.587, 0.299};  // projection weights (grey and colour), colonies bright
  bool light = true;                   // polarity: light colonies
};

// One reduced image with its background removed (CV_32F) and the level above which a pixel
// stands out as a colony.
struct Residual {
  cv::Mat image;
  double level = 0.0;
};

// `small_bgr` CV_32FC3 reduced image, `small_mask` its counting region, and the residuals of
// the grey level and of the strongest channel (same size), polarity applied.
ContrastChoice choose_contrast(const cv::Mat& small_bgr, const cv::Mat& small_mask, const Residual& grey,
                               const Residual& channel, bool light);

// The strongest channel of `bgr8` (8-bit BGR, any size) as CV_32F, colonies bright.
cv::Mat strongest_channel(const cv::Mat& bgr8, bool light);

// The chosen contrast image of `bgr8` as CV_32F, colonies bright.
cv::Mat contrast_image(const cv::Mat& bgr8, const ContrastChoice& choice);

}  // namespace assay::protocols::imaging

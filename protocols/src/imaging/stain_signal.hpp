// Stain density of a bright-field (or fluorescence) field, whatever the stain's colour.
//
// measure_stain() finds the polarity (dark stain on a light field, or light objects on a dark
// one), the local background of each colour channel, and each pixel's optical density above it.
// The stain's colour is not assumed: its direction in (B, G, R) optical density is taken from
// the most strongly stained pixels, so crystal violet, haematoxylin or any dye works the same.
// Pure functions; thread-safe.
#pragma once

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct StainField {
  bool light_objects = false;  // fluorescence-like: objects brighter than the field
  cv::Mat density;             // CV_32FC3: optical density per channel above the local background
  cv::Vec3f stain_colour;      // unit (B, G, R) density direction of the dominant stain
  cv::Mat stain;               // CV_32F: density along stain_colour (>= 0)
};

// background_radius_px: the local-background window (a few cell diameters); cells are removed
// from it by a grey closing, so it must exceed the largest cell radius.
StainField measure_stain(const cv::Mat& bgr8, double background_radius_px);

// Density vector of what makes a blob: mean inside the disk minus mean in the ring around it
// (radius to 2x radius), so a speck on a smear of dye shows the speck's colour, not the smear's.
// Its direction compared with stain_colour tells stain from debris of another colour.
cv::Vec3f blob_density(const cv::Mat& density, cv::Point2d centre_px, double radius_px);

}  // namespace assay::protocols::imaging

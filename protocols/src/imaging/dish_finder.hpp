// Finding the dish (or well) in a photograph: the strongest circle of plausible size.
//
// The search runs on a copy reduced to about `work_size_px` on its long side (fast, and
// insensitive to colonies and noise), with a circle Hough transform whose radius range is a
// fraction of the image; the result is scaled back to full resolution and refined by fitting a
// circle to the strongest edge along rays around it. When no plausible circle
// is found the dish is assumed to fill the image (found = false) and the caller flags it.
// Pure function; thread-safe.
#pragma once

#include <opencv2/core.hpp>

#include "assay/protocols/imaging/colony_counter.hpp"

namespace assay::protocols::imaging {

struct DishSearch {
  int work_size_px = 480;
  double min_radius_fraction = 0.28;  // of the short image side
  double max_radius_fraction = 0.56;  // of the long image side
  double max_centre_offset_fraction = 0.25;  // of the short side, from the image centre
  // Refinement of the circle at higher resolution: the strongest edge along rays in a band
  // around the Hough radius.
  int refine_size_px = 1000;
  int refine_rays = 240;
  double refine_band_low = 0.9;   // of the Hough radius
  double refine_band_high = 1.08;
  double refine_edge_fraction = 0.5;  // of the ray's strongest step: the outermost such edge
};

DishCircle find_dish(const cv::Mat& grey8, const DishSearch& search = {});
// The whole image as a "dish": inscribed circle, found = false.
DishCircle whole_image_dish(cv::Size size);

}  // namespace assay::protocols::imaging

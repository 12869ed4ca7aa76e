// Shape of one blob (a binary mask in its own box): the measures the colony finder judges by.
//
// A colony seen from above is a compact disc: solid (its area fills its convex hull), not
// elongated, and thick (its inscribed radius is a large part of its equivalent radius). Rim
// arcs, writing strokes, scratches and fibres are thin; two touching colonies are elongated or
// waisted. Pure functions; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct BlobShape {
  double area_px = 0.0;
  double solidity = 1.0;        // area / convex hull area
  double elongation = 1.0;      // major / minor axis of the second moments
  double inscribed_radius_px = 0.0;  // largest distance from the outline inside
  std::vector<cv::Point> outline;    // in the mask's coordinates
  double equivalent_radius_px() const;
  double compactness() const;   // inscribed / equivalent radius: 1 for a disc
};

// `mask` CV_8U, non-zero inside; the largest outer outline is measured.
BlobShape shape_of(const cv::Mat& mask);
// Elongation (major / minor axis) of an outline from its second moments; 1 for a disk.
double elongation_of(const std::vector<cv::Point>& outline);
// Fills the holes of a blob (colonies with a lighter centre threshold as rings).
void fill_holes(cv::Mat& blob);
// Fills only holes of at most `max_hole_area_px`: a colony's lighter centre, not the dish
// enclosed by a ring of wall reflection.
void fill_small_holes(cv::Mat& blob, double max_hole_area_px);

}  // namespace assay::protocols::imaging

// A dim colony pressed against a bright one: a shoulder on the bright one's flank.
//
// When a small colony is dimmer than a large one it touches, the signal has no dip between
// them (the large one's flank is brighter than the small one's top) and their joint outline
// stays round and solid: the threshold tree and the shape tests both see one colony. What
// tells them apart is the flank: a single dome falls off by about the same width all round
// its bright core, while the dim colony widens the flank on one side into a compact lump.
// find_shoulders() outlines the part's core at half its height above its base, measures the
// usual flank width (the median distance from the core to the part's outline), and returns
// the lumps of the part beyond one and a half flank widths that are big and thick enough for
// a colony. A halo or glow all round, or a shallow lobe of the colony's own brightness, leaves
// no such lump.
// Pure function; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct ShoulderParams {
  int min_area_px = 3;              // smallest colony
  double min_inscribed_px = 1.0;    // a lump thinner than this is a flank's bulge
  double min_compactness = 0.55;    // inscribed / equivalent radius: crescents of halo are below
  double flank_margin = 1.5;        // lumps start beyond this many flank widths from the core
};

struct Shoulders {
  cv::Mat core;                     // CV_8U, the part without its shoulders (box-sized)
  std::vector<cv::Mat> lumps;       // CV_8U, box-sized: one per dim colony on the flank
};

// `signal` CV_32F and `mask` CV_8U, both the part's box. Empty `lumps` when there is none.
Shoulders find_shoulders(const cv::Mat& signal, const cv::Mat& mask, const ShoulderParams& p);

}  // namespace assay::protocols::imaging

// From the background-subtracted signal to candidate colonies: a threshold tree, then shape.
//
// Each blob above the edge level is thresholded again at rising levels (steps of a few noise
// sigmas). Where it falls apart into two or more parts that each rise a clear dip above the
// level (`min_dip`) and are at least a smallest colony in area, those parts are colonies of
// their own and are followed further; otherwise the blob stays whole. This is the component
// tree of the signal (as OpenCFU's recursive thresholding and MSER use it): touching colonies
// with a dip between their domes separate, the glow or halo around colonies stays below the
// level at which they separate, and a colony is never cut by noise on its top.
//
// A blob that stays whole is then judged by its shape (colony_shape.hpp). Round and solid: one
// colony. Otherwise thin appendages (a rim arc, a scratch touching a colony) are removed by an
// opening scaled to the blob's own thickness, and flat-topped colonies pressed together (no dip
// between them) are separated at their necks: the same tree run on the distance transform;
// where no neck remains (a small colony whose centre barely clears a large one) the joint
// outline is cut at its two notches (notch_cut.hpp) when both pieces come out rounder.
// Parts that are thin, elongated or irregular are not colonies.
//
// Pure function of its inputs; thread-safe.
#pragma once

#include <vector>

#include <opencv2/core.hpp>

#include "imaging/colony_shape.hpp"

namespace assay::protocols::imaging {

struct ColonyFinderParams {
  double edge_level = 0.0;       // signal level of the first threshold
  double seed_level = 0.0;       // a blob's peak must reach this
  double level_step = 1.0;       // threshold step of the tree, signal levels
  double min_dip = 2.0;          // a part's peak above the level at which it separates
  double min_dip_fraction = 0.0; // and this fraction of its own peak (textured colonies)
  double min_radius_px = 1.0;    // smallest colony radius
  double max_radius_px = 1e9;    // largest colony radius
  double round_max_elongation = 1.25;  // a blob this round and solid is one colony
  double round_min_solidity = 0.93;
  double appendage_open_fraction = 0.5;  // opening radius / the blob's inscribed radius
  double neck_ratio = 0.75;      // neck half-width / smaller part's inscribed radius that splits
  double min_thickness_fraction = 0.8;  // inscribed radius / smallest colony radius
  double max_elongation = 2.5;
  double min_compactness = 0.55; // inscribed / equivalent radius
  double shoulder_min_compactness = 0.55;  // a dim colony on a bright one's flank (0 = not looked for)
  double shoulder_flank_margin = 1.5;
  double relief_max_cover = 0.0; // parts covering less of a round part are relief on one colony (0 = off)
};

struct ColonyCandidate {
  cv::Rect box;        // in the signal's coordinates
  cv::Mat mask;        // CV_8U, box-sized
  double peak = 0.0;   // highest signal inside
  cv::Point2d centre_px;  // centroid, in the signal's coordinates
  bool from_split = false;
  BlobShape shape;
};

// `signal` CV_32F (colonies positive), `inside` CV_8U mask of the counting region, same size.
std::vector<ColonyCandidate> find_colonies(const cv::Mat& signal, const cv::Mat& inside, const ColonyFinderParams& p);

}  // namespace assay::protocols::imaging

// Matching counted colonies against a synthetic scene's truth, and naming why each miss or
// extra happened. Used by the imaging tests and by bench_count's diagnosis.
//
// A detection matches a true colony when its centre lies within `match_radius_fraction` of the
// true diameter of the true centre; pairs are taken nearest first, one to one. A missed colony
// is `merged` when its centre lies inside the outline of a detection that matched another
// colony, `at_rim` when it reaches beyond the counting circle, `too_small` when it is below the
// counter's minimum diameter, otherwise `not_detected` (below threshold, or rejected as glare or
// by shape). An extra detection is `split` when it lies inside a true colony that was matched by
// another detection, otherwise `spurious`. Header-only; pure functions.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/sim/colony_scene.hpp"
#include "assay/protocols/imaging/colony_counter.hpp"

namespace imaging_test {

struct TruthMatch {
  int matched = 0;
  int merged = 0, at_rim = 0, too_small = 0, not_detected = 0;  // missed, by cause
  int in_cluster_missed = 0;  // of the missed, how many were in a touching cluster
  int split = 0, spurious = 0;                                  // extra, by cause
  std::vector<int> missed_truth;     // indices into the scene's colonies
  std::vector<int> extra_detection;  // indices into the count's colonies
  int missed() const { return merged + at_rim + too_small + not_detected; }
  int extra() const { return split + spurious; }
};

inline TruthMatch match_to_truth(const std::vector<assay::drivers::sim::TrueColony>& truth,
                                 const assay::protocols::imaging::ColonyCount& count,
                                 const assay::protocols::imaging::ColonyCountParams& params,
                                 double match_radius_fraction = 0.6) {
  struct Pair {
    double d;
    int t, c;
  };
  std::vector<Pair> pairs;
  for (int t = 0; t < static_cast<int>(truth.size()); ++t)
    for (int c = 0; c < static_cast<int>(count.colonies.size()); ++c) {
      const double d = cv::norm(truth[t].centre_px - count.colonies[c].centre_px);
      if (d <= std::max(2.0, match_radius_fraction * truth[t].diameter_px)) pairs.push_back({d, t, c});
    }
  std::sort(pairs.begin(), pairs.end(), [](const Pair& a, const Pair& b) { return a.d < b.d; });
  std::vector<int> truth_to(truth.size(), -1), det_to(count.colonies.size(), -1);
  TruthMatch m;
  for (const Pair& p : pairs) {
    if (truth_to[p.t] >= 0 || det_to[p.c] >= 0) continue;
    truth_to[p.t] = p.c;
    det_to[p.c] = p.t;
    ++m.matched;
  }
  const auto inside = [](const std::vector<cv::Point>& outline, cv::Point2d at) {
    return outline.size() >= 3 && cv::pointPolygonTest(outline, cv::Point2f(at), false) >= 0;
  };
  const double count_radius = count.dish.radius_px * (1.0 - (count.dish.found ? params.rim_margin_fraction : 0.0));
  for (int t = 0; t < static_cast<int>(truth.size()); ++t) {
    if (truth_to[t] >= 0) continue;
    m.missed_truth.push_back(t);
    if (truth[t].cluster >= 0) ++m.in_cluster_missed;
    bool merged = false;
    for (int c = 0; c < static_cast<int>(count.colonies.size()) && !merged; ++c)
      merged = det_to[c] >= 0 && inside(count.colonies[c].outline, truth[t].centre_px);
    const double reach = cv::norm(truth[t].centre_px - count.dish.centre_px) + 0.5 * truth[t].diameter_px;
    if (merged) ++m.merged;
    else if (count.dish.found && reach > count_radius) ++m.at_rim;
    else if (truth[t].diameter_px * count.pixel_size_um < params.min_colony_diameter_um) ++m.too_small;
    else ++m.not_detected;
  }
  for (int c = 0; c < static_cast<int>(count.colonies.size()); ++c) {
    if (det_to[c] >= 0) continue;
    m.extra_detection.push_back(c);
    bool split = false;
    for (int t = 0; t < static_cast<int>(truth.size()) && !split; ++t)
      split = truth_to[t] >= 0 &&
              cv::norm(truth[t].centre_px - count.colonies[c].centre_px) < 0.55 * truth[t].diameter_px;
    split ? ++m.split : ++m.spurious;
  }
  return m;
}

}  // namespace imaging_test

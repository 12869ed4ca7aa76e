// Measuring one colony's colour and contrast, and typing haematopoietic colonies by the stated
// rules (ColonyClassRules): CFU-GEMM (large, mixed red and white), BFU-E (mostly red, not
// small), CFU-GM (compact, not red), otherwise unknown. Rules disabled: class `colony`.
// Built once per image (it measures the medium's own redness); measure() is const and
// thread-safe.
#pragma once

#include <opencv2/core.hpp>

#include "assay/protocols/imaging/colony_counter.hpp"

namespace assay::protocols::imaging {

class ColonyClassifier {
 public:
  ColonyClassifier(const ColonyClassRules& rules, const cv::Mat& bgr, const cv::Mat& dish_mask);
  // Fills mean_bgr, contrast (mean of `signal`, whose top-left is `signal_origin` in the image),
  // red_fraction and cls from the colony's outline.
  void measure(Colony& colony, const cv::Mat& signal, cv::Point signal_origin) const;
  ColonyClass classify(const Colony& colony) const;

 private:
  ColonyClassRules rules_;
  const cv::Mat& bgr_;
  double medium_redness_ = 1.0;
};

}  // namespace assay::protocols::imaging

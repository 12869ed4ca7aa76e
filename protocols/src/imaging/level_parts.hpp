// The parts of a blob above rising threshold levels, computed on the blob's own pixels.
//
// The threshold tree (colony_finder.hpp) asks, level after level, into how many significant
// parts a blob falls. Thresholding and labelling the blob's bounding box anew at every level
// costs the box's area times the number of levels, and a blob can be a sparse net across the
// whole dish (the glow of the rim joined to colonies near it) that sheds one colony per split.
// Here a blob is the list of its pixels, and the levels are counted in one pass: its pixels are
// added from the highest level down and joined to their already-added neighbours with a
// union-find (the max-tree construction), so each level's parts are known with their area and
// peak. The parts themselves are then taken at the one level where the blob falls apart.
//
// A part is significant by the caller's rule on its area, peak and the level; the rule must
// only get easier as the level falls and as a part grows (a larger area, a higher peak), which
// holds for every rule the finder uses: then a part once significant stays so until it merges.
//
// One instance serves one thread and one image; its per-pixel buffers are kept between calls,
// and a call costs the pixels of its blob, not the size of the image.
#pragma once

#include <cstdlib>
#include <functional>
#include <memory>
#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

using PartRule = std::function<bool(int area, double peak, double level)>;

// Pixels as row-major indices into the image, in raster order.
using PixelList = std::vector<int>;

class LevelParts {
 public:
  explicit LevelParts(const cv::Mat& value);  // CV_32F, continuous; must outlive this

  // Element i: the number of 8-connected parts of {pixels with value > levels[i]} (compared as
  // floats) that `significant` accepts; `levels` ascending.
  std::vector<int> count(const PixelList& pixels, const std::vector<double>& levels, const PartRule& significant);

  // The parts of {pixels with value > level} that `significant` accepts, each in raster order,
  // ordered by their first pixel.
  std::vector<PixelList> parts_above(const PixelList& pixels, double level, const PartRule& significant);

  double peak(const PixelList& pixels) const;
  cv::Rect box(const PixelList& pixels) const;
  cv::Mat mask(const PixelList& pixels, const cv::Rect& box) const;  // CV_8U, box-sized

 private:
  // Buffers of one element per image pixel, left to the system's lazily zeroed pages: only the
  // pages of pixels a blob touches are ever written.
  template <typename T>
  using PixelBuffer = std::unique_ptr<T[], decltype(&std::free)>;
  template <typename T>
  static PixelBuffer<T> zeroed(std::size_t n);

  bool present(int i) const { return parent_[i] != 0; }
  void add(int i);
  void join_present_neighbours(int i);
  int root(int i);
  void join(int a, int b);
  void forget(const PixelList& pixels);

  const float* v_;
  int rows_, cols_;
  PixelBuffer<int> parent_;        // 1 + the parent's index; 0 for pixels not added
  PixelBuffer<int> area_;          // at roots
  PixelBuffer<float> peak_;        // at roots
  PixelBuffer<int> part_of_root_;  // 1 + the part's index while parts_above groups; else 0
  std::vector<PixelList> by_top_level_;
};

}  // namespace assay::protocols::imaging

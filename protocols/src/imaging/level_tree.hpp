// The component tree of one blob over a rising ladder of threshold levels, built in one pass.
//
// The threshold tree (colony_finder.hpp) asks, level after level, into which significant parts
// a blob falls, and follows each part further up. Thresholding and labelling the blob anew at
// every level costs its area times the number of levels, and a blob can be a sparse net across
// the whole dish (the glow of the rim joined to colonies near it) that sheds one colony per
// split: labelled anew at each split, that is its area times the number of colonies as well.
// Here the blob's pixels are added once, from the highest level down, and joined to their
// already-added neighbours with a union-find (the max-tree construction). Every part of every
// level becomes a node with its area and peak, linked to the parts it holds one level up;
// the finder then climbs the nodes, and gathers a part's pixels only where it needs its mask.
//
// Levels are compared as floats (a pixel is above level i when its value exceeds
// float(levels[i])), as the thresholding of the image compares them.
#pragma once

#include <span>
#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

// Pixels as row-major indices into the image.
using PixelList = std::vector<int>;

struct LevelNode {
  int level = 0;       // index into the ladder: the part is 8-connected above levels[level]
  int area = 0;        // its pixels above that level
  float peak = 0.0f;   // highest value inside
  int first_pixel = 0; // lowest row-major index inside: sorting by it gives raster order
};

// What trees on one image share: the image and a pixel-to-blob index that is kept zero
// between trees, so a tree costs its blob's pixels and not the image's size. One thread.
class LevelScratch {
 public:
  explicit LevelScratch(const cv::Mat& value);  // CV_32F, continuous; must outlive this

 private:
  friend class LevelTree;
  const cv::Mat& value_;
  cv::Mat local_;  // CV_32S, image-sized: 1 + index in the blob's pixel list; else 0
};

class LevelTree {
 public:
  // `pixels`: the blob; `levels` ascending.
  LevelTree(LevelScratch& scratch, const PixelList& pixels, const std::vector<double>& levels);

  const std::vector<int>& lowest() const { return lowest_; }  // the parts above levels[0]
  const LevelNode& node(int n) const { return nodes_[static_cast<std::size_t>(n)]; }
  std::span<const int> children(int n) const;  // its parts one level up
  PixelList pixels_of(int n) const;            // every pixel of the part

 private:
  const PixelList& blob_;
  std::vector<LevelNode> nodes_;
  std::vector<int> lowest_;
  // Node n's children: children_[child_begin_[n] .. child_begin_[n + 1]); likewise the blob
  // pixels (as indices into blob_) that are above the node's level but not the next.
  std::vector<int> child_begin_, children_;
  std::vector<int> own_begin_, own_;
};

}  // namespace assay::protocols::imaging

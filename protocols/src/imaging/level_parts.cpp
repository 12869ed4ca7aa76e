#include "imaging/level_parts.hpp"

#include <algorithm>
#include <limits>
#include <stdexcept>

namespace assay::protocols::imaging {

template <typename T>
LevelParts::PixelBuffer<T> LevelParts::zeroed(std::size_t n) {
  void* memory = std::calloc(std::max<std::size_t>(n, 1), sizeof(T));
  if (memory == nullptr) throw std::bad_alloc();
  return PixelBuffer<T>(static_cast<T*>(memory), &std::free);
}

LevelParts::LevelParts(const cv::Mat& value)
    : v_(value.ptr<float>(0)), rows_(value.rows), cols_(value.cols), parent_(zeroed<int>(value.total())),
      area_(zeroed<int>(value.total())), peak_(zeroed<float>(value.total())), part_of_root_(zeroed<int>(value.total())) {
  if (value.type() != CV_32F || !value.isContinuous()) throw std::invalid_argument("LevelParts needs a continuous CV_32F image");
}

void LevelParts::add(int i) {
  parent_[i] = i + 1;
  area_[i] = 1;
  peak_[i] = v_[i];
}

int LevelParts::root(int i) {
  while (parent_[i] - 1 != i) {
    const int up = parent_[i] - 1;
    parent_[i] = parent_[up];
    i = up;
  }
  return i;
}

void LevelParts::join(int a, int b) {
  a = root(a);
  b = root(b);
  if (a == b) return;
  if (area_[a] < area_[b]) std::swap(a, b);
  parent_[b] = a + 1;
  area_[a] += area_[b];
  peak_[a] = std::max(peak_[a], peak_[b]);
}

void LevelParts::join_present_neighbours(int i) {
  const int y = i / cols_, x = i % cols_;
  for (int ny = std::max(0, y - 1); ny <= std::min(rows_ - 1, y + 1); ++ny)
    for (int nx = std::max(0, x - 1); nx <= std::min(cols_ - 1, x + 1); ++nx) {
      const int n = ny * cols_ + nx;
      if (n != i && present(n)) join(i, n);
    }
}

void LevelParts::forget(const PixelList& pixels) {
  for (const int i : pixels) parent_[i] = 0;
}

std::vector<int> LevelParts::count(const PixelList& pixels, const std::vector<double>& levels,
                                   const PartRule& significant) {
  std::vector<int> counts(levels.size(), 0);
  if (levels.empty()) return counts;
  by_top_level_.resize(std::max(by_top_level_.size(), levels.size()));
  for (PixelList& at_level : by_top_level_) at_level.clear();
  // A pixel is above level i when its value exceeds the level as a float; it joins at its top
  // level, the highest such i.
  const std::vector<float> limits(levels.begin(), levels.end());
  for (const int i : pixels) {
    const auto above = std::lower_bound(limits.begin(), limits.end(), v_[i]) - limits.begin();
    if (above > 0) by_top_level_[static_cast<std::size_t>(above - 1)].push_back(i);
  }
  std::vector<int> roots;
  for (std::size_t k = levels.size(); k-- > 0;) {
    for (const int i : by_top_level_[k]) {
      add(i);
      roots.push_back(i);
      join_present_neighbours(i);
    }
    std::erase_if(roots, [&](int r) { return parent_[r] - 1 != r; });
    counts[k] = static_cast<int>(
        std::count_if(roots.begin(), roots.end(), [&](int r) { return significant(area_[r], peak_[r], levels[k]); }));
  }
  for (std::size_t k = 0; k < levels.size(); ++k) forget(by_top_level_[k]);
  return counts;
}

std::vector<PixelList> LevelParts::parts_above(const PixelList& pixels, double level, const PartRule& significant) {
  const float limit = static_cast<float>(level);
  PixelList above;
  for (const int i : pixels)
    if (v_[i] > limit) above.push_back(i);
  for (const int i : above) add(i);
  for (const int i : above) join_present_neighbours(i);
  // Group by root in raster order: a part's index is given by its first pixel.
  std::vector<PixelList> parts;
  std::vector<int> roots;
  for (const int i : above) {
    const int r = root(i);
    if (part_of_root_[r] == 0) {
      roots.push_back(r);
      parts.emplace_back();
      part_of_root_[r] = static_cast<int>(parts.size());
    }
    parts[static_cast<std::size_t>(part_of_root_[r] - 1)].push_back(i);
  }
  std::vector<PixelList> kept;
  for (std::size_t p = 0; p < parts.size(); ++p) {
    part_of_root_[roots[p]] = 0;
    if (significant(area_[roots[p]], peak_[roots[p]], level)) kept.push_back(std::move(parts[p]));
  }
  forget(above);
  return kept;
}

double LevelParts::peak(const PixelList& pixels) const {
  float best = -std::numeric_limits<float>::infinity();
  for (const int i : pixels) best = std::max(best, v_[i]);
  return best;
}

cv::Rect LevelParts::box(const PixelList& pixels) const {
  if (pixels.empty()) return {};
  int x0 = cols_, y0 = rows_, x1 = -1, y1 = -1;
  for (const int i : pixels) {
    const int y = i / cols_, x = i % cols_;
    x0 = std::min(x0, x);
    x1 = std::max(x1, x);
    y0 = std::min(y0, y);
    y1 = std::max(y1, y);
  }
  return {x0, y0, x1 - x0 + 1, y1 - y0 + 1};
}

cv::Mat LevelParts::mask(const PixelList& pixels, const cv::Rect& box) const {
  cv::Mat m(box.size(), CV_8U, cv::Scalar(0));
  for (const int i : pixels) m.at<unsigned char>(i / cols_ - box.y, i % cols_ - box.x) = 255;
  return m;
}

}  // namespace assay::protocols::imaging

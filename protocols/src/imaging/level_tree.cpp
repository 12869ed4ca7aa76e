#include "imaging/level_tree.hpp"

#include <algorithm>
#include <stdexcept>

namespace assay::protocols::imaging {
namespace {

// Union-find over a blob's pixels (indices into its list), with each part's node kept at its
// root while the part grows.
class GrowingParts {
 public:
  explicit GrowingParts(std::size_t n) : parent_(n, kAbsent), part_(n) {}

  bool present(int i) const { return parent_[static_cast<std::size_t>(i)] != kAbsent; }

  void add(int i, const LevelNode& alone) {
    parent_[static_cast<std::size_t>(i)] = i;
    part_[static_cast<std::size_t>(i)] = alone;
  }

  int root(int i) {
    while (parent_[static_cast<std::size_t>(i)] != i) {
      int& up = parent_[static_cast<std::size_t>(i)];
      up = parent_[static_cast<std::size_t>(up)];
      i = up;
    }
    return i;
  }

  void join(int a, int b) {
    a = root(a);
    b = root(b);
    if (a == b) return;
    if (part(a).area < part(b).area) std::swap(a, b);
    parent_[static_cast<std::size_t>(b)] = a;
    LevelNode& into = part(a);
    const LevelNode& from = part(b);
    into.area += from.area;
    into.peak = std::max(into.peak, from.peak);
    into.first_pixel = std::min(into.first_pixel, from.first_pixel);
  }

  LevelNode& part(int root) { return part_[static_cast<std::size_t>(root)]; }
  bool is_root(int i) const { return parent_[static_cast<std::size_t>(i)] == i; }

 private:
  static constexpr int kAbsent = -1;
  std::vector<int> parent_;
  std::vector<LevelNode> part_;
};

// Groups `items` by their key into a compact layout: begin[k] .. begin[k + 1] in `grouped`.
void group_by(const std::vector<int>& key_of, int keys, std::vector<int>& begin, std::vector<int>& grouped) {
  begin.assign(static_cast<std::size_t>(keys) + 1, 0);
  for (const int k : key_of)
    if (k >= 0) ++begin[static_cast<std::size_t>(k) + 1];
  for (std::size_t k = 1; k < begin.size(); ++k) begin[k] += begin[k - 1];
  grouped.assign(static_cast<std::size_t>(begin.back()), 0);
  std::vector<int> at(begin.begin(), begin.end() - 1);
  for (std::size_t i = 0; i < key_of.size(); ++i)
    if (key_of[i] >= 0) grouped[static_cast<std::size_t>(at[static_cast<std::size_t>(key_of[i])]++)] = static_cast<int>(i);
}

}  // namespace

LevelScratch::LevelScratch(const cv::Mat& value)
    : value_(value), local_(cv::Mat::zeros(std::max(value.rows, 1), std::max(value.cols, 1), CV_32S)) {
  if (value.type() != CV_32F || !value.isContinuous())
    throw std::invalid_argument("the level tree needs a continuous CV_32F image");
}

LevelTree::LevelTree(LevelScratch& scratch, const PixelList& pixels, const std::vector<double>& levels) : blob_(pixels) {
  const float* value = scratch.value_.ptr<float>(0);
  const int rows = scratch.value_.rows, cols = scratch.value_.cols;
  int* local = scratch.local_.ptr<int>(0);
  const int n = static_cast<int>(pixels.size());

  // Each pixel joins at its top level, the highest it is above.
  const std::vector<float> limits(levels.begin(), levels.end());
  std::vector<int> top(pixels.size());
  for (int j = 0; j < n; ++j) {
    local[pixels[static_cast<std::size_t>(j)]] = j + 1;
    const float v = value[pixels[static_cast<std::size_t>(j)]];
    top[static_cast<std::size_t>(j)] = static_cast<int>(std::lower_bound(limits.begin(), limits.end(), v) - limits.begin()) - 1;
  }
  std::vector<int> level_begin, by_level;
  group_by(top, static_cast<int>(levels.size()), level_begin, by_level);

  GrowingParts parts(pixels.size());
  std::vector<int> parent_node;       // per node; -1 for the lowest
  std::vector<int> owner(pixels.size(), -1);
  std::vector<int> live, node_of_root(pixels.size(), -1);
  std::vector<std::pair<int, int>> previous;  // (node, a pixel of it) of the level above
  for (int k = static_cast<int>(levels.size()) - 1; k >= 0; --k) {
    const auto joining = std::span(by_level).subspan(static_cast<std::size_t>(level_begin[static_cast<std::size_t>(k)]),
                                                     static_cast<std::size_t>(level_begin[static_cast<std::size_t>(k) + 1] -
                                                                              level_begin[static_cast<std::size_t>(k)]));
    for (const int j : joining) {
      const int i = pixels[static_cast<std::size_t>(j)];
      const int y = i / cols, x = i % cols;
      parts.add(j, LevelNode{k, 1, value[i], i});
      live.push_back(j);
      for (int ny = std::max(0, y - 1); ny <= std::min(rows - 1, y + 1); ++ny)
        for (int nx = std::max(0, x - 1); nx <= std::min(cols - 1, x + 1); ++nx) {
          const int other = local[ny * cols + nx] - 1;
          if (other >= 0 && other != j && parts.present(other)) parts.join(j, other);
        }
    }
    std::erase_if(live, [&](int r) { return !parts.is_root(r); });
    for (const int r : live) {
      node_of_root[static_cast<std::size_t>(r)] = static_cast<int>(nodes_.size());
      LevelNode node = parts.part(r);
      node.level = k;
      nodes_.push_back(node);
      parent_node.push_back(-1);
    }
    for (const auto& [child, member] : previous)
      parent_node[static_cast<std::size_t>(child)] = node_of_root[static_cast<std::size_t>(parts.root(member))];
    for (const int j : joining) owner[static_cast<std::size_t>(j)] = node_of_root[static_cast<std::size_t>(parts.root(j))];
    previous.clear();
    for (const int r : live) previous.emplace_back(node_of_root[static_cast<std::size_t>(r)], r);
  }
  for (const auto& entry : previous) lowest_.push_back(entry.first);
  for (const int i : pixels) local[i] = 0;

  group_by(parent_node, static_cast<int>(nodes_.size()), child_begin_, children_);
  group_by(owner, static_cast<int>(nodes_.size()), own_begin_, own_);
}

std::span<const int> LevelTree::children(int n) const {
  const auto begin = static_cast<std::size_t>(child_begin_[static_cast<std::size_t>(n)]);
  const auto end = static_cast<std::size_t>(child_begin_[static_cast<std::size_t>(n) + 1]);
  return std::span(children_).subspan(begin, end - begin);
}

PixelList LevelTree::pixels_of(int n) const {
  PixelList out;
  out.reserve(static_cast<std::size_t>(node(n).area));
  std::vector<int> stack{n};
  while (!stack.empty()) {
    const auto at = static_cast<std::size_t>(stack.back());
    stack.pop_back();
    for (int o = own_begin_[at]; o < own_begin_[at + 1]; ++o) out.push_back(blob_[static_cast<std::size_t>(own_[static_cast<std::size_t>(o)])]);
    for (const int c : children(static_cast<int>(at))) stack.push_back(c);
  }
  return out;
}

}  // namespace assay::protocols::imaging

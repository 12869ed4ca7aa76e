#include "imaging/flood_regions.hpp"

#include <algorithm>
#include <climits>
#include <utility>
#include <vector>

namespace assay::protocols::imaging {
namespace {

struct Region {
  float peak = 0.0f;
  int area = 0;
  bool significant = false;
};

int find_root(std::vector<int>& parent, int i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

// Surface values are compared on `kLevels` levels between their lowest and highest (values
// closer than 1/kLevels of the range count as equal, in slot order).
constexpr int kLevels = 4096;

// Each slot's level, 0 = highest.
std::vector<int> levels_of(const std::vector<float>& value) {
  std::vector<int> key(value.size(), 0);
  if (value.empty()) return key;
  const auto [lo_it, hi_it] = std::minmax_element(value.begin(), value.end());
  const float lo = *lo_it, hi = *hi_it;
  const float scale = hi > lo ? (kLevels - 1) / (hi - lo) : 0.0f;
  for (std::size_t i = 0; i < value.size(); ++i) key[i] = static_cast<int>((hi - value[i]) * scale);
  return key;
}

// Slots ordered from the highest level down, by a counting sort (linear time, stable).
std::vector<int> highest_first(const std::vector<int>& key) {
  std::vector<int> order(key.size());
  std::vector<int> start(kLevels + 1, 0);
  for (const int k : key) ++start[k + 1];
  for (int k = 0; k < kLevels; ++k) start[k + 1] += start[k];
  for (std::size_t i = 0; i < key.size(); ++i) order[static_cast<std::size_t>(start[key[i]]++)] = static_cast<int>(i);
  return order;
}

}  // namespace

int flood_regions(const cv::Mat& surface, const cv::Mat& mask, const FloodRule& rule, cv::Mat& labels) {
  CV_Assert(surface.type() == CV_32F && mask.type() == CV_8U && surface.size() == mask.size());
  const int w = surface.cols, h = surface.rows;
  // Pixels of the mask get compact indices (slot); the union-find works on those. The slot
  // image has a border of -1 so neighbours need no bounds test.
  const int stride = w + 2;
  std::vector<int> slot_of(static_cast<std::size_t>(stride) * (h + 2), -1);
  std::vector<int> pixel;     // slot -> pixel index in `labels`
  std::vector<int> at;        // slot -> index in `slot_of`
  std::vector<float> value;   // slot -> surface value
  const auto inside = static_cast<std::size_t>(cv::countNonZero(mask));
  pixel.reserve(inside), at.reserve(inside), value.reserve(inside);
  for (int y = 0; y < h; ++y) {
    const unsigned char* m = mask.ptr<unsigned char>(y);
    const float* v = surface.ptr<float>(y);
    for (int x = 0; x < w; ++x)
      if (m[x]) {
        const int a = (y + 1) * stride + x + 1;
        slot_of[static_cast<std::size_t>(a)] = static_cast<int>(pixel.size());
        pixel.push_back(y * w + x);
        at.push_back(a);
        value.push_back(v[x]);
      }
  }
  const std::vector<int> key = levels_of(value);
  // The 8 neighbours, row by row from the top left (the order decides ties).
  const int neighbour[8] = {-stride - 1, -stride, -stride + 1, -1, 1, stride - 1, stride, stride + 1};

  // A pixel starts a region only when no neighbour comes before it in `order` (higher level, or
  // the same level and a lower slot). With a single such pixel every other one joins its region:
  // the answer is one region, and the flooding below would only confirm it.
  int starts = 0;
  for (std::size_t i = 0; i < at.size() && starts < 2; ++i) {
    bool earlier_neighbour = false;
    for (const int d : neighbour) {
      const int q = slot_of[static_cast<std::size_t>(at[i] + d)];
      if (q >= 0 && (key[static_cast<std::size_t>(q)] < key[i] ||
                     (key[static_cast<std::size_t>(q)] == key[i] && static_cast<std::size_t>(q) < i))) {
        earlier_neighbour = true;
        break;
      }
    }
    if (!earlier_neighbour) ++starts;
  }
  if (starts < 2) {
    labels.create(surface.size(), CV_32S);
    labels.setTo(0);
    int* out = labels.ptr<int>(0);
    for (const int p : pixel) out[p] = 1;
    return pixel.empty() ? 0 : 1;
  }
  const std::vector<int> order = highest_first(key);

  // Union-find over slots; -1: not reached yet. Region data lives at the root.
  std::vector<int> parent(pixel.size(), -1);
  std::vector<Region> region(pixel.size());
  const auto significant = [&](const Region& r, float saddle) {
    return r.peak - saddle >= rule.min_drop && saddle <= rule.max_saddle_ratio * r.peak &&
           r.peak >= rule.min_peak && r.area >= rule.min_area_px;
  };
  for (const int i : order) {
    const int a = at[static_cast<std::size_t>(i)];
    const float level = value[static_cast<std::size_t>(i)];
    int best_neighbour = -1;
    float best_value = 0.0f;
    int roots[8];
    int n_roots = 0;
    for (const int d : neighbour) {
      const int q = slot_of[static_cast<std::size_t>(a + d)];
      if (q < 0 || parent[static_cast<std::size_t>(q)] < 0) continue;
      const float v = value[static_cast<std::size_t>(q)];
      if (best_neighbour < 0 || v > best_value) best_neighbour = q, best_value = v;
      const int r = find_root(parent, q);
      if (std::find(roots, roots + n_roots, r) == roots + n_roots) roots[n_roots++] = r;
    }
    if (best_neighbour < 0) {  // a regional maximum starts a region
      parent[i] = i;
      region[i] = {level, 1, false};
      continue;
    }
    // Regions meeting here: each lower one either proves significant or joins the highest.
    for (int k = 1; k < n_roots; ++k)  // at most 8: insertion sort, highest peak first
      for (int j = k; j > 0 && region[roots[j]].peak > region[roots[j - 1]].peak; --j) std::swap(roots[j], roots[j - 1]);
    const int top = roots[0];
    for (int k = 1; k < n_roots; ++k) {
      Region& low = region[roots[k]];
      if (!low.significant && significant(low, level)) low.significant = true;
      if (!low.significant) {
        parent[roots[k]] = top;
        region[top].area += low.area;
      }
    }
    const int mine = find_root(parent, best_neighbour);
    parent[i] = mine;
    ++region[mine].area;
  }

  labels.create(surface.size(), CV_32S);
  labels.setTo(0);
  std::vector<int> label_of(pixel.size(), 0);
  int n = 0;
  int* out = labels.ptr<int>(0);
  for (std::size_t i = 0; i < pixel.size(); ++i) {
    const int r = find_root(parent, static_cast<int>(i));
    if (label_of[r] == 0) label_of[r] = ++n;
    out[pixel[i]] = label_of[r];
  }
  return n;
}

std::vector<cv::Rect> label_boxes(const cv::Mat& labels, int n) {
  CV_Assert(labels.type() == CV_32S);
  struct Extent {
    int x0 = INT_MAX, y0 = INT_MAX, x1 = -1, y1 = -1;
  };
  std::vector<Extent> e(static_cast<std::size_t>(std::max(n, 0)) + 1);
  for (int y = 0; y < labels.rows; ++y) {
    const int* row = labels.ptr<int>(y);
    for (int x = 0; x < labels.cols; ++x) {
      const int k = row[x];
      if (k <= 0 || k > n) continue;
      Extent& r = e[static_cast<std::size_t>(k)];
      r.x0 = std::min(r.x0, x), r.x1 = std::max(r.x1, x);
      r.y0 = std::min(r.y0, y), r.y1 = std::max(r.y1, y);
    }
  }
  std::vector<cv::Rect> boxes(e.size());
  for (std::size_t k = 1; k < e.size(); ++k)
    if (e[k].x1 >= 0) boxes[k] = cv::Rect(e[k].x0, e[k].y0, e[k].x1 - e[k].x0 + 1, e[k].y1 - e[k].y0 + 1);
  return boxes;
}

}  // namespace assay::protocols::imaging

// The level tree of a blob holds the parts that thresholding and labelling find at each level.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>

#include <opencv2/imgproc.hpp>

#include "imaging/level_tree.hpp"

namespace im = assay::protocols::imaging;

namespace {

// Hills of random height and width on noise: parts appear, grow and merge as the level falls.
cv::Mat hilly_field(unsigned seed) {
  std::mt19937 rng(seed);
  cv::Mat field(120, 160, CV_32F, cv::Scalar(0));
  std::uniform_real_distribution<float> x(0, 160), y(0, 120), height(5, 60), width(3, 14);
  for (int h = 0; h < 25; ++h) {
    cv::Mat hill(field.size(), CV_32F, cv::Scalar(0));
    const int col = static_cast<int>(x(rng));  // x before y, each its own statement: a seed
    const int row = static_cast<int>(y(rng));  // makes the same field under every compiler
    hill.at<float>(row, col) = 1.0f;
    const float w = width(rng);
    cv::GaussianBlur(hill, hill, cv::Size(0, 0), w);
    double top = 0.0;
    cv::minMaxLoc(hill, nullptr, &top);
    field += hill * (height(rng) / top);
  }
  cv::Mat noise(field.size(), CV_32F);
  cv::randn(noise, 0.0, 1.5);
  return field + noise;
}

// The parts above a level the slow way: threshold and label, each part as its sorted pixels.
std::vector<im::PixelList> labelled_parts(const cv::Mat& value, const cv::Mat& mask, double level) {
  const cv::Mat above = (value > static_cast<float>(level)) & mask;
  cv::Mat labels;
  const int n = cv::connectedComponents(above, labels, 8, CV_32S);
  std::vector<im::PixelList> parts(static_cast<std::size_t>(std::max(0, n - 1)));
  for (int i = 0; i < static_cast<int>(labels.total()); ++i)
    if (const int l = labels.ptr<int>(0)[i]; l > 0) parts[static_cast<std::size_t>(l - 1)].push_back(i);
  std::sort(parts.begin(), parts.end());
  return parts;
}

}  // namespace

TEST_CASE("the level tree holds exactly the parts that labelling finds at every level", "[imaging][level_tree]") {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    const cv::Mat value = hilly_field(seed);
    const cv::Mat mask = value > 2.0f;
    im::PixelList pixels;
    for (int i = 0; i < static_cast<int>(value.total()); ++i)
      if (mask.ptr<unsigned char>(0)[i]) pixels.push_back(i);
    std::vector<double> levels;
    for (double level = 2.5; level < 60.0; level += 1.7) levels.push_back(level);

    im::LevelScratch scratch(value);
    const im::LevelTree tree(scratch, pixels, levels);
    // Walk the tree level by level from its lowest parts.
    std::vector<int> at_level = tree.lowest();
    std::size_t most = 0;
    for (std::size_t k = 0; k < levels.size(); ++k) {
      INFO("seed " << seed << ", level " << levels[k]);
      std::vector<im::PixelList> from_tree;
      for (const int n : at_level) {
        im::PixelList part = tree.pixels_of(n);
        std::sort(part.begin(), part.end());
        CHECK(tree.node(n).level == static_cast<int>(k));
        CHECK(tree.node(n).area == static_cast<int>(part.size()));
        CHECK(tree.node(n).first_pixel == part.front());
        float peak = 0.0f;
        for (const int i : part) peak = std::max(peak, value.ptr<float>(0)[i]);
        CHECK(tree.node(n).peak == peak);
        from_tree.push_back(std::move(part));
      }
      std::sort(from_tree.begin(), from_tree.end());
      CHECK(from_tree == labelled_parts(value, mask, levels[k]));
      most = std::max(most, from_tree.size());
      std::vector<int> up;
      for (const int n : at_level) {
        const auto children = tree.children(n);
        up.insert(up.end(), children.begin(), children.end());
      }
      at_level = up;
    }
    CHECK(at_level.empty());
    CHECK(most >= 3);  // the field does fall apart into several hills

    // A second tree on the same scratch sees no trace of the first.
    const im::LevelTree again(scratch, pixels, levels);
    CHECK(again.lowest().size() == tree.lowest().size());
  }
}

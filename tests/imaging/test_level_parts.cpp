// The one-pass level counts of the threshold tree agree with labelling the blob at each level.
#include <catch2/catch.hpp>

#include <random>

#include <opencv2/imgproc.hpp>

#include "imaging/level_parts.hpp"

namespace im = assay::protocols::imaging;

namespace {

// Hills of random height and width on noise: parts appear, grow and merge as the level falls.
cv::Mat hilly_field(unsigned seed) {
  std::mt19937 rng(seed);
  cv::Mat field(120, 160, CV_32F, cv::Scalar(0));
  std::uniform_real_distribution<float> x(0, 160), y(0, 120), height(5, 60), width(3, 14);
  for (int h = 0; h < 25; ++h) {
    cv::Mat hill(field.size(), CV_32F, cv::Scalar(0));
    hill.at<float>(static_cast<int>(y(rng)), static_cast<int>(x(rng))) = 1.0f;
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

// The same count the slow way: threshold and label at the level.
int labelled_count(const cv::Mat& value, const cv::Mat& mask, double level, const im::PartRule& significant) {
  const cv::Mat above = (value > static_cast<float>(level)) & mask;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(above, labels, stats, centroids, 8, CV_32S);
  int count = 0;
  for (int i = 1; i < n; ++i) {
    double peak = 0.0;
    cv::minMaxLoc(value, nullptr, &peak, nullptr, nullptr, labels == i);
    if (significant(stats.at<int>(i, cv::CC_STAT_AREA), peak, level)) ++count;
  }
  return count;
}

}  // namespace

TEST_CASE("level counts of a blob's parts agree with labelling every level", "[imaging][level_parts]") {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    const cv::Mat value = hilly_field(seed);
    cv::Mat mask = value > 2.0f;
    im::PixelList pixels;
    for (int y = 0; y < value.rows; ++y)
      for (int x = 0; x < value.cols; ++x)
        if (mask.at<unsigned char>(y, x)) pixels.push_back(y * value.cols + x);
    std::vector<double> levels;
    for (double level = 2.5; level < 60.0; level += 1.7) levels.push_back(level);
    const im::PartRule significant = [](int area, double peak, double level) { return area >= 6 && peak - level >= 3.0; };

    im::LevelParts parts(value);
    const std::vector<int> counts = parts.count(pixels, levels, significant);
    REQUIRE(counts.size() == levels.size());
    int most = 0;
    for (std::size_t i = 0; i < levels.size(); ++i) {
      INFO("seed " << seed << ", level " << levels[i]);
      CHECK(counts[i] == labelled_count(value, mask, levels[i], significant));
      most = std::max(most, counts[i]);
    }
    CHECK(most >= 3);  // the field does fall apart into several hills

    // The parts at one level: as many as counted, disjoint, each above the level.
    const std::size_t at = levels.size() / 4;
    const std::vector<im::PixelList> found = parts.parts_above(pixels, levels[at], significant);
    CHECK(static_cast<int>(found.size()) == counts[at]);
    cv::Mat seen(value.size(), CV_8U, cv::Scalar(0));
    int below = 0, twice = 0;
    for (const im::PixelList& part : found)
      for (const int i : part) {
        below += value.ptr<float>(0)[i] > static_cast<float>(levels[at]) ? 0 : 1;
        twice += seen.ptr<unsigned char>(0)[i]++ > 0 ? 1 : 0;
      }
    CHECK(below == 0);
    CHECK(twice == 0);
    // A second call on the same instance sees no trace of the first.
    CHECK(parts.count(pixels, levels, significant) == counts);
  }
}

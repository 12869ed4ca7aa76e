#include "imaging/colour_contrast.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace assay::protocols::imaging {
namespace {

// Fewer pixels than this standing out: no colonies to take a colour from.
constexpr int kMinStandOutPixels = 12;
// Blobs needed to judge whether colonies differ in hue, and the spread of their grey over
// channel contrast above which they do.
constexpr int kMinHueBlobs = 6;
constexpr int kMinHueBlobArea = 3;  // reduced pixels: dust specks are smaller
constexpr double kMaxHueSpread = 2.0;
// The grey level's share of the colour contrast below which the colour projection is used.
constexpr double kMinGreyShare = 0.5;

template <bool kLargest>
cv::Mat strongest_of(const cv::Mat& bgr8) {
  cv::Mat out(bgr8.size(), CV_32F);
  for (int y = 0; y < bgr8.rows; ++y) {
    const unsigned char* in = bgr8.ptr<unsigned char>(y);
    float* o = out.ptr<float>(y);
    for (int x = 0; x < bgr8.cols; ++x, in += 3)
      o[x] = kLargest ? std::max({in[0], in[1], in[2]}) : 255.0f - std::min({in[0], in[1], in[2]});
  }
  return out;
}

// Whether the standing-out blobs of the strongest channel differ in hue: the ratio of their grey
// contrast to their channel contrast spreads widely.
bool colonies_differ_in_hue(const Residual& grey, const Residual& channel, const cv::Mat& small_mask) {
  const cv::Mat stand_out = (channel.image > channel.level) & small_mask;
  cv::Mat labels, stats, centroids;
  const int n = cv::connectedComponentsWithStats(stand_out, labels, stats, centroids, 8, CV_32S);
  if (n - 1 < kMinHueBlobs) return false;
  std::vector<double> grey_sum(n, 0.0), channel_sum(n, 0.0);
  for (int y = 0; y < labels.rows; ++y) {
    const int* l = labels.ptr<int>(y);
    const float* g = grey.image.ptr<float>(y);
    const float* c = channel.image.ptr<float>(y);
    for (int x = 0; x < labels.cols; ++x)
      if (l[x] > 0) grey_sum[l[x]] += g[x], channel_sum[l[x]] += c[x];
  }
  std::vector<double> ratios;
  for (int i = 1; i < n; ++i)
    if (stats.at<int>(i, cv::CC_STAT_AREA) >= kMinHueBlobArea && channel_sum[i] > 0.0) ratios.push_back(std::max(0.0, grey_sum[i]) / channel_sum[i]);
  if (static_cast<int>(ratios.size()) < kMinHueBlobs) return false;
  std::sort(ratios.begin(), ratios.end());
  const double low = ratios[ratios.size() / 5], high = ratios[ratios.size() * 4 / 5];
  return high > kMaxHueSpread * std::max(low, 1e-3);
}

}  // namespace

const char* to_string(ContrastKind kind) {
  switch (kind) {
    case ContrastKind::grey: return "grey";
    case ContrastKind::colour: return "colour";
    case ContrastKind::strongest_channel: return "strongest_channel";
  }
  return "grey";
}

ContrastChoice choose_contrast(const cv::Mat& small_bgr, const cv::Mat& small_mask, const Residual& grey,
                               const Residual& channel, bool light) {
  ContrastChoice choice;
  choice.light = light;
  if (!light) choice.bgr = -choice.bgr;
  if (colonies_differ_in_hue(grey, channel, small_mask)) {
    choice.kind = ContrastKind::strongest_channel;
    return choice;
  }
  const cv::Mat grey_stand_out = grey.image > grey.level;
  const cv::Mat colony = grey_stand_out & small_mask;
  const cv::Mat medium = (grey_stand_out == 0) & small_mask;
  if (cv::countNonZero(colony) < kMinStandOutPixels || cv::countNonZero(medium) < kMinStandOutPixels) return choice;
  const cv::Scalar a = cv::mean(small_bgr, colony), b = cv::mean(small_bgr, medium);
  const cv::Vec3d d(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const double l1 = std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2]);
  if (l1 <= 0.0) return choice;
  const cv::Vec3d grey_weights = d.dot(choice.bgr) < 0.0 ? -choice.bgr : choice.bgr;
  const cv::Vec3d matched = d / l1;
  if (std::abs(d.dot(grey_weights)) < kMinGreyShare * d.dot(matched)) {
    choice.kind = ContrastKind::colour;
    choice.bgr = matched;
  }
  return choice;
}

cv::Mat strongest_channel(const cv::Mat& bgr8, bool light) {
  return light ? strongest_of<true>(bgr8) : strongest_of<false>(bgr8);
}

cv::Mat contrast_image(const cv::Mat& bgr8, const ContrastChoice& choice) {
  if (choice.kind == ContrastKind::strongest_channel) return strongest_channel(bgr8, choice.light);
  // Negative weights are offset so the projection stays within 0..255 like a channel.
  double offset = 0.0;
  for (int k = 0; k < 3; ++k) offset -= 255.0 * std::min(0.0, choice.bgr[k]);
  const auto wb = static_cast<float>(choice.bgr[0]), wg = static_cast<float>(choice.bgr[1]),
             wr = static_cast<float>(choice.bgr[2]), off = static_cast<float>(offset);
  cv::Mat out(bgr8.size(), CV_32F);
  for (int y = 0; y < bgr8.rows; ++y) {
    const unsigned char* in = bgr8.ptr<unsigned char>(y);
    float* o = out.ptr<float>(y);
    for (int x = 0; x < bgr8.cols; ++x, in += 3) o[x] = off + wb * in[0] + wg * in[1] + wr * in[2];
  }
  return out;
}

}  // namespace assay::protocols::imaging

#include "imaging/colour_contrast.hpp"

#include <cmath>

namespace assay::protocols::imaging {
namespace {

// Fewer pixels than this standing out: no colonies to take a colour from.
constexpr int kMinStandOutPixels = 12;
// The grey level's share of the colour contrast below which the colour projection is used.
constexpr double kMinGreyShare = 0.5;

}  // namespace

ColourWeights colour_weights(const cv::Mat& small_bgr, const cv::Mat& small_mask, const cv::Mat& stand_out, bool light) {
  ColourWeights w;
  if (!light) w.bgr = -w.bgr;
  const cv::Mat colony = stand_out & small_mask;
  const cv::Mat medium = (stand_out == 0) & small_mask;
  if (cv::countNonZero(colony) < kMinStandOutPixels || cv::countNonZero(medium) < kMinStandOutPixels) return w;
  const cv::Scalar a = cv::mean(small_bgr, colony), b = cv::mean(small_bgr, medium);
  const cv::Vec3d d(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
  const double l1 = std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2]);
  if (l1 <= 0.0) return w;
  // The grey level keeps the camera's full resolution (colour is sampled more coarsely and is
  // noisier in blue): it is used unless the colonies hardly differ in it.
  const cv::Vec3d luma = d.dot(w.bgr) < 0.0 ? -w.bgr : w.bgr;
  const cv::Vec3d matched = d / l1;
  w.bgr = std::abs(d.dot(luma)) >= kMinGreyShare * d.dot(matched) ? luma : matched;
  w.from_colonies = true;
  return w;
}

cv::Mat project_colour(const cv::Mat& bgr8, const ColourWeights& weights) {
  // Negative weights are offset so the projection stays within 0..255 like a channel.
  double offset = 0.0;
  for (int k = 0; k < 3; ++k) offset -= 255.0 * std::min(0.0, weights.bgr[k]);
  const float wb = static_cast<float>(weights.bgr[0]), wg = static_cast<float>(weights.bgr[1]),
              wr = static_cast<float>(weights.bgr[2]), off = static_cast<float>(offset);
  cv::Mat out(bgr8.size(), CV_32F);
  for (int y = 0; y < bgr8.rows; ++y) {
    const unsigned char* in = bgr8.ptr<unsigned char>(y);
    float* o = out.ptr<float>(y);
    for (int x = 0; x < bgr8.cols; ++x, in += 3) o[x] = off + wb * in[0] + wg * in[1] + wr * in[2];
  }
  return out;
}

}  // namespace assay::protocols::imaging

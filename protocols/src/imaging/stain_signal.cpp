#include "imaging/stain_signal.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "imaging/image_prep.hpp"

namespace assay::protocols::imaging {
namespace {

// Share of the field's pixels, the most stained, that define the stain's colour.
constexpr double kStainColourTopShare = 0.01;
// Median grey level below which a field is dark (fluorescence): measured fluorescence fields sit
// far below it, the darkest bright-field tile of the stained set (eosin over half of it) at 113.
constexpr float kDarkFieldMedian = 100.0f;

float percentile(const cv::Mat& grey8, double q) {
  int hist[256] = {};
  for (int y = 0; y < grey8.rows; y += 2) {
    const unsigned char* row = grey8.ptr<unsigned char>(y);
    for (int x = 0; x < grey8.cols; x += 2) ++hist[row[x]];
  }
  int total = 0;
  for (int v : hist) total += v;
  int seen = 0;
  for (int v = 0; v < 256; ++v)
    if ((seen += hist[v]) >= q * total) return static_cast<float>(v);
  return 255.0f;
}

// The field without the objects: a closing (objects are dark after polarity) at reduced
// resolution, then smoothed so that it follows illumination, not texture.
cv::Mat field_background(const cv::Mat& channel_f32, double radius_px) {
  const double shrink = std::max(1.0, radius_px / 12.0);
  cv::Mat small, closed, bg;
  cv::resize(channel_f32, small, cv::Size(), 1.0 / shrink, 1.0 / shrink, cv::INTER_AREA);
  const int r = std::max(1, static_cast<int>(std::lround(radius_px / shrink)));
  cv::morphologyEx(small, closed, cv::MORPH_CLOSE, disk_kernel(r), {-1, -1}, 1, cv::BORDER_REFLECT);
  cv::blur(closed, closed, cv::Size(2 * r + 1, 2 * r + 1), {-1, -1}, cv::BORDER_REFLECT);
  cv::resize(closed, bg, channel_f32.size(), 0, 0, cv::INTER_LINEAR);
  return bg;
}

}  // namespace

StainField measure_stain(const cv::Mat& bgr8, double background_radius_px) {
  StainField f;
  cv::Mat grey;
  cv::cvtColor(bgr8, grey, cv::COLOR_BGR2GRAY);
  // Objects sit in the long tail of the histogram: a dark tail means stain on a light field.
  // A fluorescence field is also dark as a whole; a bright-field one whose bright tail is longer
  // (white gaps in a section, a dark counterstain over half the field) is not.
  const float p02 = percentile(grey, 0.02), p50 = percentile(grey, 0.5), p98 = percentile(grey, 0.98);
  f.light_objects = (p98 - p50) > (p50 - p02) && p50 < kDarkFieldMedian;

  cv::Mat img;
  bgr8.convertTo(img, CV_32FC3);
  if (f.light_objects) img = cv::Scalar::all(255.0) - img;  // objects become dark
  std::vector<cv::Mat> planes;
  cv::split(img, planes);
  std::vector<cv::Mat> od(3);
  for (int c = 0; c < 3; ++c) {
    const cv::Mat bg = field_background(planes[c], background_radius_px);
    cv::Mat ratio = (bg + 1.0f) / (planes[c] + 1.0f);
    cv::log(ratio, od[c]);
    od[c] = cv::max(od[c], 0.0f);
  }
  cv::merge(od, f.density);

  // Stain colour: mean direction of the most stained pixels' density vectors.
  cv::Mat total = (od[0] + od[1] + od[2]);
  std::vector<float> values;
  for (int y = 0; y < total.rows; y += 2)
    for (int x = 0; x < total.cols; x += 2) values.push_back(total.at<float>(y, x));
  float cut = 0.0f;
  if (!values.empty()) {
    auto it = values.begin() + static_cast<long>((1.0 - kStainColourTopShare) * (values.size() - 1));
    std::nth_element(values.begin(), it, values.end());
    cut = *it;
  }
  cv::Vec3d sum(0, 0, 0);
  for (int y = 0; y < total.rows; ++y)
    for (int x = 0; x < total.cols; ++x)
      if (total.at<float>(y, x) >= cut && total.at<float>(y, x) > 0) {
        const cv::Vec3f v = f.density.at<cv::Vec3f>(y, x);
        sum += cv::Vec3d(v) / std::max(1e-6, cv::norm(v));
      }
  const double n = cv::norm(sum);
  f.stain_colour = n > 0 ? cv::Vec3f(sum / n) : cv::Vec3f(0.577f, 0.577f, 0.577f);
  f.stain = od[0] * f.stain_colour[0] + od[1] * f.stain_colour[1] + od[2] * f.stain_colour[2];
  return f;
}

cv::Vec3f blob_density(const cv::Mat& density, cv::Point2d centre_px, double radius_px) {
  const int r = std::max(1, static_cast<int>(std::lround(radius_px)));
  const cv::Rect box = cv::Rect(static_cast<int>(centre_px.x) - 2 * r, static_cast<int>(centre_px.y) - 2 * r,
                                4 * r + 1, 4 * r + 1) & cv::Rect(0, 0, density.cols, density.rows);
  if (box.empty()) return {0, 0, 0};
  const cv::Point c = cv::Point(centre_px) - box.tl();
  cv::Mat disk(box.size(), CV_8U, cv::Scalar(0)), ring(box.size(), CV_8U, cv::Scalar(0));
  cv::circle(disk, c, r, cv::Scalar(255), cv::FILLED);
  cv::circle(ring, c, 2 * r, cv::Scalar(255), cv::FILLED);
  ring.setTo(0, disk);
  const cv::Scalar inside = cv::mean(density(box), disk);
  const cv::Scalar around = cv::countNonZero(ring) > 0 ? cv::mean(density(box), ring) : cv::Scalar::all(0);
  return {static_cast<float>(inside[0] - around[0]), static_cast<float>(inside[1] - around[1]),
          static_cast<float>(inside[2] - around[2])};
}

}  // namespace assay::protocols::imaging

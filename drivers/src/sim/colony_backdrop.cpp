#include "colony_backdrop.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

namespace assay::drivers::sim::scene {

double uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

cv::Mat smooth_field(cv::Size size, int grid, Rng& rng) {
  cv::Mat coarse(grid, grid, CV_32F);
  for (int y = 0; y < grid; ++y)
    for (int x = 0; x < grid; ++x) coarse.at<float>(y, x) = static_cast<float>(uniform(rng, -1.0, 1.0));
  cv::Mat field;
  cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
  return field;
}

namespace {

// A sheet of paper with handwriting-like text, partly under the dish.
void draw_label(cv::Mat& img, const ColonySceneSpec& s, Rng& rng) {
  const double w = 0.35 * img.cols, h = 0.14 * img.rows;
  const bool left = uniform(rng, 0, 1) < 0.5, top = uniform(rng, 0, 1) < 0.5;
  const cv::Point2f centre(static_cast<float>(left ? 0.12 * img.cols : 0.88 * img.cols),
                           static_cast<float>(top ? 0.06 * img.rows : 0.94 * img.rows));
  const cv::RotatedRect sheet(centre, cv::Size2f(static_cast<float>(w), static_cast<float>(h)),
                              static_cast<float>(uniform(rng, -12, 12)));
  cv::Point2f corners[4];
  sheet.points(corners);
  std::vector<cv::Point> poly(corners, corners + 4);
  const double paper = s.light_colonies ? uniform(rng, 120, 170) : uniform(rng, 200, 235);
  cv::fillConvexPoly(img, poly, cv::Scalar(paper * 0.95, paper, paper), cv::LINE_AA);
  const double scale = 0.0012 * img.rows;
  cv::putText(img, "E. coli 10^-6  22/11", cv::Point2d(centre) - cv::Point2d(0.4 * w, 0.05 * h),
              cv::FONT_HERSHEY_SCRIPT_SIMPLEX, scale, cv::Scalar::all(0.25 * paper),
              std::max(1, static_cast<int>(2.5 * scale)), cv::LINE_AA);
}

}  // namespace

void draw_dish(cv::Mat& img, const ColonySceneSpec& s, const Dish& dish, Rng& rng) {
  const cv::Size size = img.size();
  const double surround = s.light_colonies ? uniform(rng, 15, 35) : uniform(rng, 60, 110);
  const cv::Mat under = smooth_field(size, 6, rng);
  for (int y = 0; y < size.height; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    const float* u = under.ptr<float>(y);
    for (int x = 0; x < size.width; ++x)
      row[x] = cv::Vec3f(0.9f, 0.95f, 1.0f) * static_cast<float>(surround * (1.0 + 0.6 * u[x]));
  }
  if (s.label_and_writing && !s.haematopoietic) draw_label(img, s, rng);

  // Agar: a tint, mottling at two scales, then the dish covers whatever lies under it.
  const cv::Vec3f tint = s.haematopoietic ? cv::Vec3f(1.0f, 0.97f, 0.95f) : cv::Vec3f(0.85f, 0.95f, 1.1f);
  const cv::Mat coarse = smooth_field(size, 40, rng), fine = smooth_field(size, 160, rng);
  const double R = dish.radius;
  for (int y = std::max(0, static_cast<int>(dish.centre.y - R)); y < std::min(size.height, static_cast<int>(dish.centre.y + R) + 1); ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    const float* c = coarse.ptr<float>(y);
    const float* f = fine.ptr<float>(y);
    for (int x = std::max(0, static_cast<int>(dish.centre.x - R)); x < std::min(size.width, static_cast<int>(dish.centre.x + R) + 1); ++x) {
      if (std::hypot(x - dish.centre.x, y - dish.centre.y) > R) continue;
      const double mottle = 1.0 + s.agar_texture * (0.6 * c[x] + 0.4 * f[x]);
      row[x] = tint * static_cast<float>(dish.agar_level * mottle);
    }
  }
  // Rim: a bright wall with brightness varying around the dish.
  const double rim_width = 0.03 * R;
  const double phase_a = uniform(rng, -1, 1), phase_b = uniform(rng, -1, 1);
  for (int k = 0; k < 360; ++k) {
    const double a0 = k * std::numbers::pi / 180.0;
    const double level = (s.light_colonies ? 120 : 230) * (0.6 + 0.4 * std::sin(3 * a0 + phase_a) * std::sin(a0 + phase_b));
    cv::ellipse(img, dish.centre, cv::Size2d(R + 0.5 * rim_width, R + 0.5 * rim_width), 0, k, k + 1.2,
                cv::Scalar(level, level, level), static_cast<int>(rim_width), cv::LINE_AA);
  }
}

void draw_dust(cv::Mat& img, const ColonySceneSpec& s, const Dish& dish, Rng& rng) {
  for (int k = 0; k < s.dust_specks; ++k) {
    const double rho = 0.95 * dish.radius * std::sqrt(uniform(rng, 0, 1)), a = uniform(rng, 0, 2 * std::numbers::pi);
    const cv::Point2d at = dish.centre + rho * cv::Point2d(std::cos(a), std::sin(a));
    // Specks of 30-80 um, drawn with a sub-pixel radius: far below any colony counted.
    const double px_per_mm = 2.0 * dish.radius / s.dish_diameter_mm;
    const double r = 0.5 * uniform(rng, 0.03, 0.08) * px_per_mm;
    double level = uniform(rng, 0, 1) < 0.5 ? uniform(rng, 0.3, 0.7) * dish.agar_level
                                            : dish.agar_level + uniform(rng, 20, 60);
    if (r < 0.6) {  // smaller than a pixel: its contrast spreads over the pixel it falls in
      level = dish.agar_level + (level - dish.agar_level) * std::min(1.0, std::numbers::pi * r * r);
      const cv::Point p(static_cast<int>(at.x), static_cast<int>(at.y));
      if (p.inside(cv::Rect(0, 0, img.cols, img.rows))) img.at<cv::Vec3f>(p) = cv::Vec3f::all(static_cast<float>(level));
      continue;
    }
    constexpr int shift = 4;
    cv::circle(img, at * (1 << shift), static_cast<int>(std::lround(r * (1 << shift))), cv::Scalar::all(level),
               cv::FILLED, cv::LINE_AA, shift);
  }
}

void draw_lid(cv::Mat& img, const ColonySceneSpec& s, const Dish& dish, Rng& rng) {
  const cv::Point2d C = dish.centre;
  const double R = dish.radius;
  if (s.label_and_writing && !s.haematopoietic) {
    // Marker writing near the rim, as people label plates: dark ink of partial opacity.
    cv::Mat ink(img.size(), CV_32F, cv::Scalar(0));
    const double a = uniform(rng, 0, 2 * std::numbers::pi);
    const cv::Point2d at = C + 0.78 * R * cv::Point2d(std::cos(a), std::sin(a)) - cv::Point2d(0.18 * R, 0);
    const double scale = 0.0016 * R;
    cv::putText(ink, "LB amp 3", at, cv::FONT_HERSHEY_SCRIPT_SIMPLEX, scale, cv::Scalar(0.55),
                std::max(2, static_cast<int>(3.0 * scale)), cv::LINE_AA);
    for (int y = 0; y < img.rows; ++y) {
      cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
      const float* k = ink.ptr<float>(y);
      for (int x = 0; x < img.cols; ++x)
        if (k[x] > 0.0f) row[x] *= 1.0f - k[x];
    }
  }
  if (s.glare <= 0.0) return;
  cv::Mat glare(img.size(), CV_32FC3, cv::Scalar::all(0));
  for (int k = 0; k < 3; ++k) {
    const double start = uniform(rng, 0, 360), span = uniform(rng, 15, 50), radius = uniform(rng, 0.955, 0.99) * R;
    cv::ellipse(glare, C, cv::Size2d(radius, radius), 0, start, start + span, cv::Scalar::all(90 * s.glare),
                std::max(2, static_cast<int>(0.006 * R)), cv::LINE_AA);
  }
  cv::GaussianBlur(glare, glare, cv::Size(0, 0), 0.01 * R + 1.0);
  // Lamp reflections on the lid: bright, elongated, soft-edged patches (window or tube shapes).
  cv::Mat lamps(img.size(), CV_32FC3, cv::Scalar::all(0));
  // The microscope imager of haematopoietic dishes lights them itself: no room lamps reflected.
  const int n_lamps = s.haematopoietic ? 0 : static_cast<int>(uniform(rng, 1, 3.999));
  for (int k = 0; k < n_lamps; ++k) {
    const double rho = uniform(rng, 0.2, 0.8) * R, a = uniform(rng, 0, 2 * std::numbers::pi);
    const cv::Point2d at = C + rho * cv::Point2d(std::cos(a), std::sin(a));
    const double length = uniform(rng, 0.05, 0.14) * R, aspect = uniform(rng, 4.0, 8.0);
    const cv::RotatedRect patch(cv::Point2f(at), cv::Size2f(static_cast<float>(length), static_cast<float>(length / aspect)),
                                static_cast<float>(uniform(rng, 0, 180)));
    cv::Point2f corners[4];
    patch.points(corners);
    std::vector<cv::Point> poly(corners, corners + 4);
    cv::fillConvexPoly(lamps, poly, cv::Scalar::all(uniform(rng, 60, 140) * s.glare), cv::LINE_AA);
  }
  cv::GaussianBlur(lamps, lamps, cv::Size(0, 0), 0.002 * R + 0.8);
  // A diffuse highlight (a reflected lamp out of focus): soft-edged, much wider than any colony.
  // Drawn at 1/8 scale and blown up: the blur is wide, the detail needs no resolution.
  cv::Mat highlight(img.size() / 8, CV_32FC3, cv::Scalar::all(0));
  const double spot_y = uniform(rng, -1, 1);  // its own statement: argument order is unspecified
  const cv::Point2d spot = C + 0.5 * R * cv::Point2d(uniform(rng, -1, 1), spot_y);
  cv::circle(highlight, spot / 8.0, static_cast<int>(0.1 * R / 8.0), cv::Scalar::all(18 * s.glare), cv::FILLED);
  cv::GaussianBlur(highlight, highlight, cv::Size(0, 0), 0.06 * R / 8.0);
  cv::resize(highlight, highlight, img.size(), 0, 0, cv::INTER_LINEAR);
  img += glare + lamps + highlight;
}

void apply_lighting(cv::Mat& img, const ColonySceneSpec& s, const Dish& dish, Rng& rng) {
  // The gain varies slowly: computed at 1/8 scale and blown up.
  constexpr int kScale = 8;
  const cv::Size coarse((img.cols + kScale - 1) / kScale, (img.rows + kScale - 1) / kScale);
  const cv::Mat light = smooth_field(coarse, 3, rng);
  const double gx = uniform(rng, -1, 1), gy = uniform(rng, -1, 1);
  // The lens's optical centre is the image centre; the lamp's gradient follows the dish.
  const cv::Point2d optical(0.5 * img.cols, 0.5 * img.rows);
  const double corner = cv::norm(optical);
  cv::Mat gain(coarse, CV_32F);
  for (int y = 0; y < coarse.height; ++y)
    for (int x = 0; x < coarse.width; ++x) {
      const double px = (x + 0.5) * kScale, py = (y + 0.5) * kScale;
      const double dx = (px - dish.centre.x) / dish.radius, dy = (py - dish.centre.y) / dish.radius;
      const double v = std::hypot(px - optical.x, py - optical.y) / corner;
      const double g = (1.0 + s.illumination_gradient * (0.5 * (gx * dx + gy * dy) + 0.3 * light.at<float>(y, x))) *
                       (1.0 - s.vignetting * v * v);
      gain.at<float>(y, x) = static_cast<float>(std::max(0.05, g));
    }
  cv::resize(gain, gain, img.size(), 0, 0, cv::INTER_LINEAR);
  cv::Mat gain3;
  cv::merge(std::vector<cv::Mat>{gain, gain, gain}, gain3);
  cv::multiply(img, gain3, img);
}

}  // namespace assay::drivers::sim::scene

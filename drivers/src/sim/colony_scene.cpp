#include "assay/drivers/sim/colony_scene.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace assay::drivers::sim {
namespace {

using Rng = std::mt19937_64;

double uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

// Smooth random field in [-1, 1]: a coarse random grid blown up with cubic interpolation.
cv::Mat smooth_field(cv::Size size, int grid, Rng& rng) {
  cv::Mat coarse(grid, grid, CV_32F);
  for (int y = 0; y < grid; ++y)
    for (int x = 0; x < grid; ++x) coarse.at<float>(y, x) = static_cast<float>(uniform(rng, -1.0, 1.0));
  cv::Mat field;
  cv::resize(coarse, field, size, 0, 0, cv::INTER_CUBIC);
  return field;
}

// Blends a colour into the image with per-pixel opacity `alpha` over a disk of radius r.
void paint_disk(cv::Mat& img, cv::Point2d c, double r, const cv::Vec3f& colour, double opacity,
                double dome, bool dark) {
  const int x0 = std::max(0, static_cast<int>(c.x - r - 2)), x1 = std::min(img.cols - 1, static_cast<int>(c.x + r + 2));
  const int y0 = std::max(0, static_cast<int>(c.y - r - 2)), y1 = std::min(img.rows - 1, static_cast<int>(c.y + r + 2));
  for (int y = y0; y <= y1; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    for (int x = x0; x <= x1; ++x) {
      const double d = std::hypot(x - c.x, y - c.y);
      const double edge = std::clamp((r - d) / 1.2 + 0.5, 0.0, 1.0);
      if (edge <= 0.0) continue;
      const double t = std::min(1.0, d / r);
      // A dome: the centre is the most opaque part, brightest for light colonies and darkest
      // for dark ones.
      const double cap = std::sqrt(std::max(0.0, 1.0 - t * t));
      const double shade = dark ? 1.0 + dome * (1.0 - cap) : (1.0 - dome) + dome * cap;
      const double a = edge * opacity;
      row[x] = row[x] * static_cast<float>(1.0 - a) + colour * static_cast<float>(a * shade);
    }
  }
}

struct Placed {
  cv::Point2d c;
  double r;
  int cluster;
};

std::vector<Placed> place_colonies(const ColonySceneSpec& s, cv::Point2d centre, double usable_r, Rng& rng) {
  std::vector<Placed> placed;
  std::vector<int> cluster_size;
  const double log_lo = std::log(s.min_diameter_px), log_hi = std::log(s.max_diameter_px);
  auto fits = [&](cv::Point2d c, double r, int partner) {
    if (cv::norm(c - centre) + r > usable_r) return false;
    for (std::size_t k = 0; k < placed.size(); ++k) {
      const double gap = cv::norm(c - placed[k].c);
      const double limit = static_cast<int>(k) == partner ? std::max(r, placed[k].r) + 0.5 * std::min(r, placed[k].r)
                                                           : r + placed[k].r + 3.0;
      if (gap < limit) return false;
    }
    return true;
  };
  int attempts = 0;
  while (static_cast<int>(placed.size()) < s.colonies && attempts < s.colonies * 400) {
    ++attempts;
    const double r = 0.5 * std::exp(uniform(rng, log_lo, log_hi));
    const bool touch = !placed.empty() && uniform(rng, 0.0, 1.0) < s.cluster_fraction;
    if (touch) {
      const int partner = static_cast<int>(uniform(rng, 0.0, static_cast<double>(placed.size())));
      const int cl = placed[partner].cluster;
      if (cl >= 0 && cluster_size[cl] >= s.max_cluster_size) continue;
      const double angle = uniform(rng, 0.0, 2.0 * std::numbers::pi);
      // Touching colonies press together a little; the smaller one still shows most of itself.
      const double gap = std::max((r + placed[partner].r) * uniform(rng, 0.84, 0.98),
                                  std::max(r, placed[partner].r) + 0.55 * std::min(r, placed[partner].r));
      const cv::Point2d c = placed[partner].c + gap * cv::Point2d(std::cos(angle), std::sin(angle));
      if (!fits(c, r, partner)) continue;
      int use = cl;
      if (use < 0) {
        use = static_cast<int>(cluster_size.size());
        cluster_size.push_back(1);
        placed[partner].cluster = use;
      }
      ++cluster_size[use];
      placed.push_back({c, r, use});
    } else {
      const double rho = usable_r * std::sqrt(uniform(rng, 0.0, 1.0));
      const double angle = uniform(rng, 0.0, 2.0 * std::numbers::pi);
      const cv::Point2d c = centre + rho * cv::Point2d(std::cos(angle), std::sin(angle));
      if (!fits(c, r, -1)) continue;
      placed.push_back({c, r, -1});
    }
  }
  return placed;
}

}  // namespace

ColonyScene render_colony_scene(const ColonySceneSpec& s) {
  Rng rng(s.seed);
  const cv::Size size(s.width_px, s.height_px);
  const double short_side = std::min(s.width_px, s.height_px);
  ColonyScene scene;
  scene.dish_radius_px = s.dish_radius_fraction * short_side;
  scene.dish_centre_px = {0.5 * s.width_px + uniform(rng, -0.03, 0.03) * short_side,
                          0.5 * s.height_px + uniform(rng, -0.03, 0.03) * short_side};
  const double R = scene.dish_radius_px;
  const cv::Point2d C = scene.dish_centre_px;

  // Medium and surround levels (8-bit) for the two polarities.
  const double agar = s.light_colonies ? uniform(rng, 35, 70) : uniform(rng, 150, 190);
  const double surround = s.light_colonies ? uniform(rng, 15, 35) : uniform(rng, 60, 110);
  const cv::Vec3f agar_tint = s.haematopoietic ? cv::Vec3f(1.0f, 0.97f, 0.95f)
                                               : cv::Vec3f(0.85f, 0.95f, 1.1f);
  const cv::Mat under = smooth_field(size, 6, rng);
  const cv::Mat light = smooth_field(size, 3, rng);
  const double gx = uniform(rng, -1, 1), gy = uniform(rng, -1, 1);
  cv::Mat img(size, CV_32FC3);
  for (int y = 0; y < size.height; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size.width; ++x) {
      const double dx = (x - C.x) / R, dy = (y - C.y) / R;
      const double rr = std::hypot(dx, dy);
      if (rr <= 1.0) {
        const double illum = 1.0 + s.illumination_gradient * (0.5 * (gx * dx + gy * dy) + 0.3 * light.at<float>(y, x)) -
                             0.12 * rr * rr;
        row[x] = agar_tint * static_cast<float>(agar * illum);
      } else {
        row[x] = cv::Vec3f(0.9f, 0.95f, 1.0f) * static_cast<float>(surround * (1.0 + 0.6 * under.at<float>(y, x)));
      }
    }
  }
  // Rim: a bright wall with brightness varying around the dish.
  const double rim_width = 0.03 * R;
  for (int k = 0; k < 360; ++k) {
    const double a0 = k * std::numbers::pi / 180.0;
    const double level = (s.light_colonies ? 120 : 230) * (0.6 + 0.4 * std::sin(3 * a0 + gx) * std::sin(a0 + gy));
    cv::ellipse(img, C, cv::Size2d(R + 0.5 * rim_width, R + 0.5 * rim_width), 0, k, k + 1.2,
                cv::Scalar(level, level, level), static_cast<int>(rim_width), cv::LINE_AA);
  }
  if (s.glare > 0.0) {
    cv::Mat glare(size, CV_32FC3, cv::Scalar::all(0));
    for (int k = 0; k < 3; ++k) {
      const double start = uniform(rng, 0, 360), span = uniform(rng, 15, 50), at = uniform(rng, 0.955, 0.99) * R;
      cv::ellipse(glare, C, cv::Size2d(at, at), 0, start, start + span, cv::Scalar::all(90 * s.glare),
                  std::max(2, static_cast<int>(0.006 * R)), cv::LINE_AA);
    }
    cv::GaussianBlur(glare, glare, cv::Size(0, 0), 0.01 * R + 1.0);
    // A diffuse highlight (a reflected lamp): soft-edged, much wider than any colony.
    // Drawn at 1/8 scale and blown up: the blur is wide, the detail needs no resolution.
    cv::Mat highlight(size / 8, CV_32FC3, cv::Scalar::all(0));
    const cv::Point2d spot = C + 0.5 * R * cv::Point2d(uniform(rng, -1, 1), uniform(rng, -1, 1));
    cv::circle(highlight, spot / 8.0, static_cast<int>(0.1 * R / 8.0), cv::Scalar::all(18 * s.glare), cv::FILLED);
    cv::GaussianBlur(highlight, highlight, cv::Size(0, 0), 0.06 * R / 8.0);
    cv::resize(highlight, highlight, size, 0, 0, cv::INTER_LINEAR);
    img += glare + highlight;
  }

  const auto placed = place_colonies(s, C, 0.93 * R, rng);
  const char* types[] = {"CFU-GM", "BFU-E", "CFU-GEMM"};
  for (const Placed& p : placed) {
    TrueColony truth{p.c, 2.0 * p.r, "colony", p.cluster};
    const double brightness = s.light_colonies ? uniform(rng, 110, 220) : uniform(rng, 20, 90);
    cv::Vec3f colour = cv::Vec3f(0.92f, 0.97f, 1.0f) * static_cast<float>(brightness);
    if (s.haematopoietic) {
      const int t = p.r > 0.35 * s.max_diameter_px ? static_cast<int>(uniform(rng, 0, 3))
                                                   : static_cast<int>(uniform(rng, 0, 2));
      truth.cls = types[t];
      if (t == 0) colour = cv::Vec3f(0.95f, 0.95f, 0.95f) * static_cast<float>(brightness);
      if (t >= 1) colour = cv::Vec3f(0.35f, 0.4f, 1.0f) * static_cast<float>(brightness);
      paint_disk(img, p.c, p.r, colour, 0.85, 0.3, !s.light_colonies);
      // BFU-E: a burst of small clusters on the halo; CFU-GEMM: a white core in a red colony.
      if (t == 1) {
        for (int k = 0; k < 7; ++k) {
          const double a = uniform(rng, 0, 2 * std::numbers::pi), rho = uniform(rng, 0, 0.6) * p.r;
          paint_disk(img, p.c + rho * cv::Point2d(std::cos(a), std::sin(a)), 0.3 * p.r,
                     colour * 0.8f, 0.7, 0.5, !s.light_colonies);
        }
      } else if (t == 2) {
        paint_disk(img, p.c, 0.55 * p.r, cv::Vec3f(0.95f, 0.95f, 0.95f) * static_cast<float>(brightness), 0.9, 0.3, !s.light_colonies);
      }
    } else {
      paint_disk(img, p.c, p.r, colour, 0.92, 0.35, !s.light_colonies);
    }
    scene.colonies.push_back(truth);
  }

  if (s.blur_sigma_px > 0.0) cv::GaussianBlur(img, img, cv::Size(0, 0), s.blur_sigma_px);
  if (s.noise_sigma > 0.0) {
    cv::Mat noise(size, CV_32FC3);
    cv::RNG cv_rng(s.seed * 7919 + 17);
    cv_rng.fill(noise, cv::RNG::NORMAL, 0.0, s.noise_sigma);
    img += noise;
  }
  img.convertTo(scene.image, CV_8UC3);
  if (s.jpeg_quality > 0) {
    std::vector<unsigned char> buffer;
    cv::imencode(".jpg", scene.image, buffer, {cv::IMWRITE_JPEG_QUALITY, s.jpeg_quality});
    scene.image = cv::imdecode(buffer, cv::IMREAD_COLOR);
  }
  return scene;
}

}  // namespace assay::drivers::sim

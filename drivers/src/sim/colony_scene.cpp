#include "assay/drivers/sim/colony_scene.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>

#include <opencv2/imgproc.hpp>

#include "camera_finish.hpp"
#include "colony_backdrop.hpp"

namespace assay::drivers::sim {
namespace {

using scene::Rng;
using scene::uniform;

// How a colony looks: a dome with a soft edge. `dome` is how much dimmer (light colonies) or
// lighter (dark ones) the edge is than the centre, `flatness` shapes the profile in between.
struct Dome {
  cv::Vec3f colour;
  double opacity = 0.9;
  double dome = 0.35;
  double flatness = 0.5;  // exponent of (1 - t^2): small = flat top, 1 = round cap
  double soft_px = 1.2;   // width of the edge ramp
};

void paint_dome(cv::Mat& img, cv::Point2d c, double r, const Dome& d, bool dark) {
  const double reach = r + d.soft_px + 1;
  const int x0 = std::max(0, static_cast<int>(c.x - reach)), x1 = std::min(img.cols - 1, static_cast<int>(c.x + reach));
  const int y0 = std::max(0, static_cast<int>(c.y - reach)), y1 = std::min(img.rows - 1, static_cast<int>(c.y + reach));
  for (int y = y0; y <= y1; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    for (int x = x0; x <= x1; ++x) {
      const double dist = std::hypot(x - c.x, y - c.y);
      const double edge = std::clamp((r - dist) / d.soft_px + 0.5, 0.0, 1.0);
      if (edge <= 0.0) continue;
      const double t = std::min(1.0, dist / r);
      const double cap = std::pow(std::max(0.0, 1.0 - t * t), d.flatness);
      const double shade = dark ? 1.0 + d.dome * (1.0 - cap) : (1.0 - d.dome) + d.dome * cap;
      const double a = edge * d.opacity;
      row[x] = row[x] * static_cast<float>(1.0 - a) + d.colour * static_cast<float>(a * shade);
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
    if (c.x - r < 2 || c.y - r < 2 || c.x + r > s.width_px - 3 || c.y + r > s.height_px - 3) return false;
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

// Bacterial colonies of one strain share a colour; small (young, thin) ones are dimmer.
Dome bacterial_dome(const ColonySceneSpec& s, double strain_level, double agar, double r, Rng& rng) {
  const double size = std::clamp(std::log(2.0 * r / s.min_diameter_px) /
                                     std::max(1e-9, std::log(s.max_diameter_px / s.min_diameter_px)), 0.0, 1.0);
  const double level = agar + (strain_level - agar) * (0.55 + 0.45 * size) * uniform(rng, 0.88, 1.12);
  Dome d;
  d.colour = cv::Vec3f(0.82f, 0.95f, 1.0f) * static_cast<float>(std::max(0.0, level));
  d.opacity = uniform(rng, 0.85, 0.95);
  d.dome = uniform(rng, 0.25, 0.5);
  d.flatness = uniform(rng, 0.3, 0.9);
  d.soft_px = 1.0 + 0.08 * r;
  return d;
}

void paint_haematopoietic(cv::Mat& img, const Placed& p, TrueColony& truth, const ColonySceneSpec& s, Rng& rng) {
  static const char* types[] = {"CFU-GM", "BFU-E", "CFU-GEMM"};
  const double brightness = s.light_colonies ? uniform(rng, 110, 220) : uniform(rng, 20, 90);
  const int t = p.r > 0.35 * s.max_diameter_px ? static_cast<int>(uniform(rng, 0, 3)) : static_cast<int>(uniform(rng, 0, 2));
  truth.cls = types[t];
  Dome d;
  d.opacity = 0.85;
  d.dome = 0.3;
  d.soft_px = 1.2;
  d.colour = (t == 0 ? cv::Vec3f(0.95f, 0.95f, 0.95f) : cv::Vec3f(0.35f, 0.4f, 1.0f)) * static_cast<float>(brightness);
  const bool dark = !s.light_colonies;
  paint_dome(img, p.c, p.r, d, dark);
  // BFU-E: a burst of small clusters on the halo; CFU-GEMM: a white core in a red colony.
  if (t == 1) {
    Dome cluster = d;
    cluster.colour = d.colour * 0.8f;
    cluster.opacity = 0.7;
    cluster.dome = 0.5;
    for (int k = 0; k < 7; ++k) {
      const double a = uniform(rng, 0, 2 * std::numbers::pi), rho = uniform(rng, 0, 0.6) * p.r;
      paint_dome(img, p.c + rho * cv::Point2d(std::cos(a), std::sin(a)), 0.3 * p.r, cluster, dark);
    }
  } else if (t == 2) {
    Dome core = d;
    core.colour = cv::Vec3f(0.95f, 0.95f, 0.95f) * static_cast<float>(brightness);
    core.opacity = 0.9;
    paint_dome(img, p.c, 0.55 * p.r, core, dark);
  }
}

// A shiny colony reflects the lamp: a small bright spot on its dome, off the centre.
void paint_highlight(cv::Mat& img, const Placed& p, cv::Point2d towards_lamp) {
  Dome spot;
  spot.colour = cv::Vec3f::all(255.0f);
  spot.opacity = 0.35;
  spot.dome = 0.8;
  spot.flatness = 1.0;
  spot.soft_px = 0.5 + 0.05 * p.r;
  paint_dome(img, p.c + 0.35 * p.r * towards_lamp, std::max(1.0, 0.18 * p.r), spot, false);
}

}  // namespace

ColonyScene render_colony_scene(const ColonySceneSpec& s) {
  Rng rng(s.seed);
  const cv::Size size(s.width_px, s.height_px);
  const double short_side = std::min(s.width_px, s.height_px);
  ColonyScene out;
  out.dish_radius_px = s.dish_radius_fraction * short_side;
  out.dish_centre_px = {0.5 * s.width_px + uniform(rng, -1, 1) * s.dish_offset_fraction * short_side,
                        0.5 * s.height_px + uniform(rng, -1, 1) * s.dish_offset_fraction * short_side};
  scene::Dish dish{out.dish_centre_px, out.dish_radius_px,
                   s.light_colonies ? uniform(rng, 35, 70) : uniform(rng, 150, 190)};

  cv::Mat img(size, CV_32FC3);
  scene::draw_dish(img, s, dish, rng);
  scene::draw_dust(img, s, dish, rng);

  const auto placed = place_colonies(s, dish.centre, 0.93 * dish.radius, rng);
  const double strain = s.light_colonies ? uniform(rng, 150, 230) : uniform(rng, 20, 80);
  const double lamp_angle = uniform(rng, 0, 2 * std::numbers::pi);
  const cv::Point2d towards_lamp(std::cos(lamp_angle), std::sin(lamp_angle));
  for (const Placed& p : placed) {
    TrueColony truth{p.c, 2.0 * p.r, "colony", p.cluster};
    if (s.haematopoietic) {
      paint_haematopoietic(img, p, truth, s, rng);
    } else {
      const Dome d = bacterial_dome(s, strain, dish.agar_level, p.r, rng);
      paint_dome(img, p.c, p.r, d, !s.light_colonies);
      if (s.light_colonies && uniform(rng, 0, 1) < s.colony_highlight) paint_highlight(img, p, towards_lamp);
    }
    out.colonies.push_back(truth);
  }

  scene::draw_lid(img, s, dish, rng);
  scene::apply_lighting(img, s, dish, rng);
  if (s.blur_sigma_px > 0.0) cv::GaussianBlur(img, img, cv::Size(0, 0), s.blur_sigma_px);
  out.image = finish_camera_image(img, s.noise_sigma, s.seed * 7919 + 17, s.jpeg_quality);
  return out;
}

}  // namespace assay::drivers::sim

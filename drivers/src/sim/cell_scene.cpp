#include "assay/drivers/sim/cell_scene.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <random>

#include <opencv2/imgproc.hpp>

#include "camera_finish.hpp"

namespace assay::drivers::sim {
namespace {

using Rng = std::mt19937_64;
double uniform(Rng& rng, double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }

// Beer-Lambert: absorbance per channel (B, G, R) times density darkens the transmitted light.
// Crystal violet absorbs green most, red less, blue least: cells look purple.
const cv::Vec3f kCrystalViolet(0.35f, 1.25f, 0.7f);
const cv::Vec3f kDebris(0.9f, 0.8f, 0.6f);  // grey-brown, absorbs blue a little more

void absorb_ellipse(cv::Mat& density, cv::Point2d c, cv::Size2d axes, double angle_deg, double amount) {
  cv::ellipse(density, cv::RotatedRect(c, axes, static_cast<float>(angle_deg)), cv::Scalar::all(amount),
              cv::FILLED, cv::LINE_AA);
}

}  // namespace

double defocus_sigma_px(double focus_error_um, double pixel_size_um) {
  // About 0.12 um of blur per um of defocus for a 10x objective, plus the optics' own floor.
  return std::hypot(0.12 * focus_error_um, 0.5) / pixel_size_um;
}

CellScene render_cell_scene(const CellSceneSpec& s) {
  Rng rng(s.seed);
  const cv::Size size(s.width_px, s.height_px);
  const double px = 1.0 / s.pixel_size_um;  // pixels per micrometre
  CellScene scene;

  // Density layers (absorbance), one in focus, one out of focus.
  cv::Mat cells(size, CV_32F, cv::Scalar(0)), debris(size, CV_32F, cv::Scalar(0)),
      blurred(size, CV_32F, cv::Scalar(0)), pores(size, CV_32F, cv::Scalar(0));

  // Regular hexagonal pore lattice.
  const double pitch = s.pore_spacing_um * px, pore_r = 0.5 * s.pore_diameter_um * px;
  const double ox = uniform(rng, 0, pitch), oy = uniform(rng, 0, pitch);
  for (int row = -1; row * pitch * 0.866 < size.height + pitch; ++row)
    for (int col = -1; col * pitch < size.width + pitch; ++col) {
      const cv::Point2d c(ox + col * pitch + (row % 2 ? 0.5 * pitch : 0.0), oy + row * pitch * 0.866);
      cv::circle(pores, c, static_cast<int>(std::lround(pore_r)), cv::Scalar(0.22), cv::FILLED, cv::LINE_AA);
    }

  // Stained cells, some pressed against an earlier one.
  std::vector<std::pair<cv::Point2d, double>> placed;
  int attempts = 0;
  while (static_cast<int>(placed.size()) < s.cells && attempts++ < s.cells * 200) {
    const double r = 0.5 * s.cell_diameter_um * px * uniform(rng, 0.7, 1.3);
    cv::Point2d c;
    const bool touch = !placed.empty() && uniform(rng, 0, 1) < s.touching_fraction;
    if (touch) {
      const auto& other = placed[static_cast<std::size_t>(uniform(rng, 0, static_cast<double>(placed.size())))];
      const double a = uniform(rng, 0, 2 * std::numbers::pi);
      c = other.first + (other.second + r) * uniform(rng, 0.85, 0.95) * cv::Point2d(std::cos(a), std::sin(a));
    } else {
      c = {uniform(rng, r, size.width - r), uniform(rng, r, size.height - r)};
    }
    if (c.x < r || c.y < r || c.x > size.width - r || c.y > size.height - r) continue;
    bool clash = false;
    for (const auto& [oc, orr] : placed) {
      const double gap = cv::norm(c - oc);
      if (gap < (touch ? 0.8 : 1.1) * (r + orr)) clash = true;
    }
    if (clash) continue;
    placed.emplace_back(c, r);
    const double density = uniform(rng, 0.75, 1.2);
    absorb_ellipse(cells, c, {2 * r * uniform(rng, 0.85, 1.15), 2 * r * uniform(rng, 0.85, 1.15)},
                   uniform(rng, 0, 180), density);
    // A lobe or two (pseudopods) and a darker nucleus.
    for (int k = 0; k < 2; ++k) {
      const double a = uniform(rng, 0, 2 * std::numbers::pi);
      absorb_ellipse(cells, c + 0.45 * r * cv::Point2d(std::cos(a), std::sin(a)),
                     {0.9 * r, 0.6 * r}, a * 180 / std::numbers::pi, density);
    }
    absorb_ellipse(cells, c, {0.8 * r, 0.7 * r}, uniform(rng, 0, 180), density * 1.4);
    scene.cell_centres_px.push_back(c);
  }
  // Debris: small grey-brown specks and fibres, in focus.
  for (int k = 0; k < s.debris; ++k) {
    const cv::Point2d c(uniform(rng, 0, size.width), uniform(rng, 0, size.height));
    if (uniform(rng, 0, 1) < 0.7) {
      cv::circle(debris, c, std::max(1, static_cast<int>(uniform(rng, 1.0, 3.5) * px)),
                 cv::Scalar(uniform(rng, 0.6, 1.2)), cv::FILLED, cv::LINE_AA);
    } else {
      const double a = uniform(rng, 0, std::numbers::pi), len = uniform(rng, 20, 60) * px;
      cv::line(debris, c, c + len * cv::Point2d(std::cos(a), std::sin(a)), cv::Scalar(0.8),
               std::max(1, static_cast<int>(1.5 * px)), cv::LINE_AA);
    }
  }
  // Out-of-focus cells (on the other side of the membrane): large faint purple blurs.
  for (int k = 0; k < s.out_of_focus_blobs; ++k) {
    const cv::Point2d c(uniform(rng, 0, size.width), uniform(rng, 0, size.height));
    cv::circle(blurred, c, static_cast<int>(uniform(rng, 10, 16) * px), cv::Scalar(0.5), cv::FILLED);
  }
  cv::GaussianBlur(blurred, blurred, cv::Size(0, 0), 7.0 * px);

  // Transmitted light through every layer, with vignetting.
  const double focus_sigma = defocus_sigma_px(s.focus_error_um, s.pixel_size_um);
  cv::Mat in_focus = cells.clone();
  cv::GaussianBlur(in_focus, in_focus, cv::Size(0, 0), std::max(0.3, focus_sigma));
  cv::GaussianBlur(debris, debris, cv::Size(0, 0), std::max(0.3, focus_sigma));
  cv::GaussianBlur(pores, pores, cv::Size(0, 0), std::max(0.3, focus_sigma));
  cv::Mat img(size, CV_32FC3);
  const cv::Vec3f lamp(226.0f, 218.0f, 222.0f);
  const cv::Vec3f pore_absorb(1.0f, 1.0f, 1.0f);
  for (int y = 0; y < size.height; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size.width; ++x) {
      const double dx = (x - 0.5 * size.width) / size.width, dy = (y - 0.5 * size.height) / size.height;
      const float illum = static_cast<float>(1.0 - 0.35 * (dx * dx + dy * dy));
      const float c = in_focus.at<float>(y, x), d = debris.at<float>(y, x), b = blurred.at<float>(y, x),
                  p = pores.at<float>(y, x);
      for (int ch = 0; ch < 3; ++ch) {
        const float a = kCrystalViolet[ch] * (c + b) + kDebris[ch] * d + pore_absorb[ch] * p;
        row[x][ch] = lamp[ch] * illum * std::exp(-a);
      }
    }
  }
  scene.image = finish_camera_image(img, s.noise_sigma, s.seed * 104729 + 3, s.jpeg_quality);
  return scene;
}

}  // namespace assay::drivers::sim

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
const cv::Vec3f kPore(1.0f, 1.0f, 1.0f);    // the pore's edge scatters light: neutral grey

void absorb_ellipse(cv::Mat& density, cv::Point2d c, cv::Size2d axes, double angle_deg, double amount) {
  cv::ellipse(density, cv::RotatedRect(c, axes, static_cast<float>(angle_deg)), cv::Scalar::all(amount),
              cv::FILLED, cv::LINE_AA);
}

// Smooth random field in [-1, 1] varying over `scale_px`: uneven stain, granular cytoplasm.
cv::Mat smooth_noise(cv::Size size, double scale_px, Rng& rng) {
  const cv::Size coarse(std::max(2, static_cast<int>(size.width / scale_px) + 2),
                        std::max(2, static_cast<int>(size.height / scale_px) + 2));
  cv::Mat grid(coarse, CV_32F);
  for (int y = 0; y < grid.rows; ++y)
    for (int x = 0; x < grid.cols; ++x) grid.at<float>(y, x) = static_cast<float>(uniform(rng, -1, 1));
  cv::Mat out;
  cv::resize(grid, out, size, 0, 0, cv::INTER_CUBIC);
  return cv::max(cv::min(out, 1.0f), -1.0f);
}

// A point anywhere in `size`, its coordinates drawn in a fixed order (y, then x).
cv::Point2d uniform_point(Rng& rng, cv::Size size) {
  const double y = uniform(rng, 0, size.height);
  return {uniform(rng, 0, size.width), y};
}

struct Cell {
  cv::Point2d centre;
  double radius_px;
};

// One stained cell: a body with one or two pseudopods and a darker nucleus.
void draw_cell(cv::Mat& layer, const Cell& c, double density, Rng& rng) {
  const double r = c.radius_px;
  // Every draw is its own statement: C++ leaves the order of a call's arguments open, and a scene
  // must be the same from every compiler (the order is the one the recorded figures were drawn in).
  const double angle = uniform(rng, 0, 180);
  const double width = 2 * r * uniform(rng, 0.85, 1.15);
  const double height = 2 * r * uniform(rng, 0.85, 1.15);
  absorb_ellipse(layer, c.centre, {width, height}, angle, density);
  for (int k = 0; k < 2; ++k) {
    const double a = uniform(rng, 0, 2 * std::numbers::pi);
    absorb_ellipse(layer, c.centre + 0.45 * r * cv::Point2d(std::cos(a), std::sin(a)), {0.9 * r, 0.6 * r},
                   a * 180 / std::numbers::pi, density * uniform(rng, 0.6, 1.0));
  }
  absorb_ellipse(layer, c.centre, {0.8 * r, 0.7 * r}, uniform(rng, 0, 180), density * 1.4);
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

  // Density layers (absorbance): cells in focus, cells a little off the plane, debris and
  // crystals (sharp), smears and blots (diffuse), pores.
  cv::Mat cells(size, CV_32F, cv::Scalar(0)), off_plane(size, CV_32F, cv::Scalar(0)),
      debris(size, CV_32F, cv::Scalar(0)), crystals(size, CV_32F, cv::Scalar(0)),
      diffuse(size, CV_32F, cv::Scalar(0)), pores(size, CV_32F, cv::Scalar(0)), pore_dye(size, CV_32F, cv::Scalar(0));

  // Track-etched pores: random positions at the stated mean spacing; some hold a little dye.
  const double pore_r = 0.5 * s.pore_diameter_um * px;
  const int n_pores = static_cast<int>(size.area() / std::pow(s.pore_spacing_um * px, 2));
  for (int k = 0; k < n_pores; ++k) {
    const cv::Point2d c = uniform_point(rng, size);
    const int r = std::max(1, static_cast<int>(std::lround(pore_r * uniform(rng, 0.9, 1.1))));
    cv::circle(pores, c, r, cv::Scalar(uniform(rng, 0.08, 0.16)), cv::FILLED, cv::LINE_AA);
    if (uniform(rng, 0, 1) < 0.3) cv::circle(pore_dye, c, r, cv::Scalar(uniform(rng, 0.05, 0.15)), cv::FILLED, cv::LINE_AA);
  }

  // Cells: scattered, pressed against an earlier one, or in clumps of 3-5.
  std::vector<Cell> placed;
  auto fits = [&](const Cell& c, bool touching) {
    if (c.centre.x < c.radius_px || c.centre.y < c.radius_px || c.centre.x > size.width - c.radius_px ||
        c.centre.y > size.height - c.radius_px)
      return false;
    for (const Cell& o : placed)
      if (cv::norm(c.centre - o.centre) < (touching ? 0.8 : 1.1) * (c.radius_px + o.radius_px)) return false;
    return true;
  };
  auto beside = [&](const Cell& other, double r) {
    const double a = uniform(rng, 0, 2 * std::numbers::pi);
    return Cell{other.centre + (other.radius_px + r) * uniform(rng, 0.85, 0.95) * cv::Point2d(std::cos(a), std::sin(a)), r};
  };
  auto add_cell = [&](const Cell& c) {
    placed.push_back(c);
    const double roll = uniform(rng, 0, 1);
    if (roll < s.out_of_focus_fraction) {
      draw_cell(off_plane, c, uniform(rng, 0.6, 1.0), rng);
    } else {
      const bool faint = roll < s.out_of_focus_fraction + s.faint_fraction;
      draw_cell(cells, c, faint ? uniform(rng, 0.35, 0.6) : uniform(rng, 0.75, 1.2), rng);
    }
    scene.cell_centres_px.push_back(c.centre);
  };
  int attempts = 0;
  while (static_cast<int>(placed.size()) < s.cells && attempts++ < s.cells * 200) {
    const double r = 0.5 * s.cell_diameter_um * px * uniform(rng, 0.7, 1.3);
    const double roll = uniform(rng, 0, 1);
    const bool touch = !placed.empty() && roll < s.touching_fraction;
    const Cell c = touch ? beside(placed[static_cast<std::size_t>(uniform(rng, 0, static_cast<double>(placed.size())))], r)
                         : Cell{{uniform(rng, r, size.width - r), uniform(rng, r, size.height - r)}, r};
    if (!fits(c, touch)) continue;
    add_cell(c);
    if (!touch && roll > 1.0 - s.clump_fraction) {
      const int more = static_cast<int>(uniform(rng, 2, 5));
      for (int k = 0, tries = 0; k < more && tries < 40 && static_cast<int>(placed.size()) < s.cells; ++tries) {
        // The size before the neighbour, each in its own statement (argument order is unspecified).
        const double radius = 0.5 * s.cell_diameter_um * px * uniform(rng, 0.7, 1.3);
        const Cell& neighbour = placed[placed.size() - 1 - static_cast<std::size_t>(uniform(rng, 0, k + 0.999))];
        const Cell m = beside(neighbour, radius);
        if (fits(m, true)) add_cell(m), ++k;
      }
    }
  }
  // Granular, uneven uptake of the dye inside the cells; soft edges.
  cells = cells.mul(1.0f + 0.25f * smooth_noise(size, 3.0 * px, rng));
  off_plane = off_plane.mul(1.0f + 0.25f * smooth_noise(size, 3.0 * px, rng));
  cv::GaussianBlur(cells, cells, cv::Size(0, 0), 0.8 * px);
  cv::GaussianBlur(off_plane, off_plane, cv::Size(0, 0), uniform(rng, 2.5, 4.0) * px);

  // Debris: small grey-brown specks and fibres, in focus.
  for (int k = 0; k < s.debris; ++k) {
    const cv::Point2d c = uniform_point(rng, size);
    if (uniform(rng, 0, 1) < 0.7) {
      const double level = uniform(rng, 0.6, 1.2);
      const int radius = std::max(1, static_cast<int>(uniform(rng, 1.0, 3.5) * px));
      cv::circle(debris, c, radius, cv::Scalar(level), cv::FILLED, cv::LINE_AA);
    } else {
      const double a = uniform(rng, 0, std::numbers::pi), len = uniform(rng, 20, 60) * px;
      cv::line(debris, c, c + len * cv::Point2d(std::cos(a), std::sin(a)), cv::Scalar(0.8),
               std::max(1, static_cast<int>(1.5 * px)), cv::LINE_AA);
    }
  }
  // Crystals of dye: small, sharp-edged, angular and very dark purple.
  for (int k = 0; k < s.stain_crystals; ++k) {
    const cv::Point2d c = uniform_point(rng, size);
    std::vector<cv::Point> corners;
    const int n = static_cast<int>(uniform(rng, 3, 6.99));
    const double r = uniform(rng, 1.5, 4.0) * px;
    for (int i = 0; i < n; ++i) {
      const double a = 2 * std::numbers::pi * (i + uniform(rng, -0.3, 0.3)) / n;
      corners.emplace_back(c + r * uniform(rng, 0.6, 1.0) * cv::Point2d(std::cos(a), std::sin(a)));
    }
    cv::fillConvexPoly(crystals, corners, cv::Scalar(uniform(rng, 1.5, 2.5)), cv::LINE_AA);
  }
  // Swab smears: broad, long, diffuse streaks of dye; blots from below the membrane.
  for (int k = 0; k < s.swab_smears; ++k) {
    cv::Point2d a = uniform_point(rng, size);
    const double heading = uniform(rng, 0, std::numbers::pi), width = uniform(rng, 25, 60) * px;
    for (int seg = 0; seg < 4; ++seg) {
      const double h = heading + uniform(rng, -0.3, 0.3), len = uniform(rng, 60, 120) * px;
      const cv::Point2d b = a + len * cv::Point2d(std::cos(h), std::sin(h));
      cv::line(diffuse, a, b, cv::Scalar(uniform(rng, 0.15, 0.3)), static_cast<int>(width), cv::LINE_AA);
      a = b;
    }
  }
  // Blots of dye below the membrane: several cells wide, so that they are not mistaken for an
  // out-of-focus cell (which is counted, and which nobody could tell from a cell-sized blot).
  for (int k = 0; k < s.out_of_focus_blobs; ++k) {
    const cv::Point2d c = uniform_point(rng, size);
    const double level = uniform(rng, 0.2, 0.4);
    cv::circle(diffuse, c, static_cast<int>(uniform(rng, 30, 60) * px), cv::Scalar(level), cv::FILLED);
  }
  cv::GaussianBlur(diffuse, diffuse, cv::Size(0, 0), 10.0 * px);
  // Patchy dye in the membrane itself.
  cv::Mat membrane_dye = s.background_stain_od * (1.0f + smooth_noise(size, 150.0 * px, rng));

  // Transmitted light through every layer, with vignetting, all blurred by the focus error.
  const double focus_sigma = std::max(0.3, defocus_sigma_px(s.focus_error_um, s.pixel_size_um));
  for (cv::Mat* layer : {&cells, &off_plane, &debris, &crystals, &pores, &pore_dye})
    cv::GaussianBlur(*layer, *layer, cv::Size(0, 0), focus_sigma);
  cv::Mat img(size, CV_32FC3);
  const cv::Vec3f lamp(226.0f, 218.0f, 222.0f);
  for (int y = 0; y < size.height; ++y) {
    cv::Vec3f* row = img.ptr<cv::Vec3f>(y);
    for (int x = 0; x < size.width; ++x) {
      const double dx = (x - 0.5 * size.width) / size.width, dy = (y - 0.5 * size.height) / size.height;
      const float illum = static_cast<float>(1.0 - 0.35 * (dx * dx + dy * dy));
      const float dye = cells.at<float>(y, x) + off_plane.at<float>(y, x) + crystals.at<float>(y, x) +
                        diffuse.at<float>(y, x) + pore_dye.at<float>(y, x) + membrane_dye.at<float>(y, x);
      const float d = debris.at<float>(y, x), p = pores.at<float>(y, x);
      for (int ch = 0; ch < 3; ++ch) {
        const float a = kCrystalViolet[ch] * dye + kDebris[ch] * d + kPore[ch] * p;
        row[x][ch] = lamp[ch] * illum * std::exp(-a);
      }
    }
  }
  scene.image = finish_camera_image(img, s.noise_sigma, s.seed * 104729 + 3, s.jpeg_quality);
  return scene;
}

}  // namespace assay::drivers::sim

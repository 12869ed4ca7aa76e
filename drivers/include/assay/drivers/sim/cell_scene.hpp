// Synthetic bright-field fields of a crystal-violet stained transwell membrane with known truth.
//
// Draws the membrane (light, with uneven illumination), its regular pore lattice, stained cells
// (dark purple, irregular, some touching in pairs or triples), grey-brown debris and
// out-of-focus purple blobs, then defocus blur, noise and optional JPEG. Only the in-focus
// stained cells are in the truth count. Pure function of the spec; thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include <opencv2/core.hpp>

namespace assay::drivers::sim {

struct CellSceneSpec {
  int width_px = 1024;
  int height_px = 1024;
  double pixel_size_um = 1.0;
  int cells = 60;
  double cell_diameter_um = 18.0;     // mean; individual cells vary +-35 %
  double touching_fraction = 0.25;    // cells placed against an earlier one
  double pore_diameter_um = 8.0;
  double pore_spacing_um = 30.0;      // hexagonal lattice pitch
  int debris = 15;
  int out_of_focus_blobs = 6;
  double focus_error_um = 0.0;        // defocus blur grows with it
  double noise_sigma = 2.5;
  int jpeg_quality = 0;
  std::uint64_t seed = 1;
};

struct CellScene {
  cv::Mat image;  // 8-bit BGR
  std::vector<cv::Point2d> cell_centres_px;
};

CellScene render_cell_scene(const CellSceneSpec& spec);
// Gaussian sigma (pixels) of the defocus blur for a focus error, as the simulator renders it.
double defocus_sigma_px(double focus_error_um, double pixel_size_um);

}  // namespace assay::drivers::sim

// Synthetic bright-field fields of a crystal-violet stained transwell membrane with known truth.
//
// Draws what a crystal-violet membrane looks like under a 10x objective: the light membrane
// with uneven illumination and patchy background stain, its track-etched pores (randomly placed,
// some holding dye), stained cells with soft edges, pseudopods, a darker nucleus and granular
// uneven staining (some faint, some a little out of the focal plane, some touching or in clumps
// of 3-5), grey-brown debris and fibres, small sharp crystals of dye, broad diffuse smears
// left by the cotton swab, and large blurred blots from below the membrane; then defocus blur,
// noise and optional JPEG. The truth count holds every cell (faint, out-of-focus and clumped
// ones too), nothing else. Pure function of the spec; thread-safe.
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
  double clump_fraction = 0.1;        // cells that seed a clump of 3-5 pressed together
  double faint_fraction = 0.15;       // cells that took up 35-60 % of the usual stain
  double out_of_focus_fraction = 0.1; // cells 10-30 um off the focal plane (still counted)
  double pore_diameter_um = 8.0;
  double pore_spacing_um = 30.0;      // mean distance of the randomly placed pores
  double background_stain_od = 0.06;  // patchy dye taken up by the membrane itself
  int debris = 15;
  int stain_crystals = 8;             // small sharp crystals of dye
  int swab_smears = 1;                // broad diffuse streaks from swabbing the top side
  int out_of_focus_blobs = 6;         // blurred blots of dye below the membrane, 60-120 um wide
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

// Synthetic photographs of colony dishes with known truth, for the simulated imager, the tests
// and the benchmark.
//
// The renderer draws what real plate photos show: a dish, not always centred and possibly cut
// by the frame, on an uneven surface with a paper label; a bright rim with glare arcs; lamp
// reflections on the lid (bright elongated patches) and a diffuse highlight; uneven
// illumination and vignetting; agar with texture and dust specks; marker writing on the lid;
// colonies over a wide size range drawn as domes with soft edges, small ones thinner and dimmer
// than large ones, some with a specular highlight; touching clusters of 2-5; optional
// haematopoietic colony types (white compact CFU-GM, red bursts of small clusters for BFU-E,
// large mixed CFU-GEMM); defocus, sensor noise and JPEG artefacts.
//
// Truth is what a careful person would count: every drawn colony, each showing at least its
// own centre and most of its area (a touching colony is placed so that its centre stays
// outside its neighbours: no colony is hidden under another); colonies are placed only where
// they are fully inside the dish and the frame. Dust specks (below the smallest colony),
// reflections and writing are not colonies. Pure function of the spec (the seed fixes the
// randomness); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace assay::drivers::sim {

struct ColonySceneSpec {
  int width_px = 2448;
  int height_px = 2448;
  int colonies = 150;
  double dish_radius_fraction = 0.46;  // of the short side
  double dish_offset_fraction = 0.03;  // largest shift of the dish centre, of the short side
  bool light_colonies = true;          // bright on dark agar; false: dark on light medium
  double min_diameter_px = 10.0;
  double max_diameter_px = 100.0;      // sizes are log-uniform between the two
  double cluster_fraction = 0.25;      // colonies placed touching an earlier one
  int max_cluster_size = 5;
  double illumination_gradient = 0.35; // relative brightness change across the dish
  double vignetting = 0.25;            // relative darkening at the image corners
  double agar_texture = 0.03;          // relative amplitude of the agar's mottling
  double glare = 1.0;                  // 0: none; 1: rim arcs, a soft highlight, lamp reflections
  int dust_specks = 40;                // bright and dark specks of 30-80 um, smaller than any colony
  double dish_diameter_mm = 90.0;      // scales the dust specks
  // A paper label beside the dish, marker strokes on the lid (photos of bacterial plates; the
  // microscope imager of haematopoietic dishes sees neither).
  bool label_and_writing = true;
  double colony_highlight = 0.3;       // fraction of colonies with a specular highlight
  double noise_sigma = 3.0;            // 8-bit levels
  int jpeg_quality = 0;                // 0: no JPEG round trip
  bool haematopoietic = false;         // draw CFU-GM / BFU-E / CFU-GEMM types
  double blur_sigma_px = 0.0;          // defocus
  std::uint64_t seed = 1;
};

struct TrueColony {
  cv::Point2d centre_px;
  double diameter_px = 0.0;
  std::string cls;  // "colony", "CFU-GM", "BFU-E", "CFU-GEMM"
  int cluster = -1;  // index of the touching cluster, -1 when isolated
};

struct ColonyScene {
  cv::Mat image;  // 8-bit BGR
  std::vector<TrueColony> colonies;
  cv::Point2d dish_centre_px;
  double dish_radius_px = 0.0;
};

ColonyScene render_colony_scene(const ColonySceneSpec& spec);

}  // namespace assay::drivers::sim

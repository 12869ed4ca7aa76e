// Synthetic photographs of colony dishes with known truth, for the simulated imager, the tests
// and the benchmark.
//
// The renderer draws what real plate photos show: a dish on an uneven surface, a bright rim
// with glare arcs, uneven illumination across the agar, colonies over a wide size range (domes
// with a soft edge), touching clusters of 2-5, optional haematopoietic colony types (white
// compact CFU-GM, red bursts of small clusters for BFU-E, large mixed CFU-GEMM), sensor noise
// and JPEG artefacts. Every drawn colony is in the truth list. Pure function of the spec (the
// seed fixes the randomness); thread-safe.
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
  bool light_colonies = true;          // bright on dark agar; false: dark on light medium
  double min_diameter_px = 10.0;
  double max_diameter_px = 100.0;      // sizes are log-uniform between the two
  double cluster_fraction = 0.25;      // colonies placed touching an earlier one
  int max_cluster_size = 5;
  double illumination_gradient = 0.35; // relative brightness change across the dish
  double glare = 1.0;                  // 0: none; 1: rim arcs and a soft highlight
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

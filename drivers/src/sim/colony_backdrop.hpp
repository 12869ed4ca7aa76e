// What a colony photo shows besides the colonies: the surface and label under the dish, the
// agar, the rim, and what lies on or reflects from the lid (writing, lamp reflections, glare),
// and the lighting over all of it. Private to the colony scene renderer.
#pragma once

#include <random>

#include <opencv2/core.hpp>

#include "assay/drivers/sim/colony_scene.hpp"

namespace assay::drivers::sim::scene {

using Rng = std::mt19937_64;

double uniform(Rng& rng, double lo, double hi);
// Smooth random field in [-1, 1]: a coarse random grid blown up with cubic interpolation.
cv::Mat smooth_field(cv::Size size, int grid, Rng& rng);

struct Dish {
  cv::Point2d centre;
  double radius = 0.0;
  double agar_level = 0.0;  // 8-bit, before lighting
};

// The surface under the dish with a paper label, then the agar (with texture) and the rim.
// `img` is CV_32FC3 of the scene's size.
void draw_dish(cv::Mat& img, const ColonySceneSpec& spec, const Dish& dish, Rng& rng);
// Dust specks on the agar, smaller than any colony.
void draw_dust(cv::Mat& img, const ColonySceneSpec& spec, const Dish& dish, Rng& rng);
// On the lid, over the colonies: marker writing, lamp reflections, rim glare arcs, a diffuse
// highlight.
void draw_lid(cv::Mat& img, const ColonySceneSpec& spec, const Dish& dish, Rng& rng);
// Multiplies the scene by uneven illumination and vignetting.
void apply_lighting(cv::Mat& img, const ColonySceneSpec& spec, const Dish& dish, Rng& rng);

}  // namespace assay::drivers::sim::scene

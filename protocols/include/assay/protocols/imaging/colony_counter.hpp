// Counting colonies in a photograph of a dish or well: bacterial colonies on agar (lighter or
// darker than the medium) and haematopoietic colonies in methylcellulose (CFU-GM, BFU-E,
// CFU-GEMM).
//
// Pipeline: find the dish (circle) and count only inside it, away from the rim; decide the
// polarity (auto or stated) and the image the colonies stand out in (grey level, their colour,
// or the strongest channel where some differ in hue only; measured on the plate); subtract the local background (a window that widens to
// fit the widest colony); threshold against the measured background noise; follow each blob up
// a threshold tree where touching colonies with a dip between them separate, then judge what
// stays whole by its shape (round: one colony; pressed together: split at the necks; thin,
// elongated or irregular: not a colony); keep the parts that look like the plate's typical
// colony (glow, agar texture, rim reflections and ink are fainter, smaller or off-colour);
// count clusters that cannot be split by area; measure and classify each colony.
// Sizes are micrometres: when `pixel_size_um` is 0 the pixel size is derived from the detected
// dish and `dish_diameter_mm`, so one parameter set serves photos of any resolution.
//
// Pure functions of their arguments: thread-safe, no global state. count_colonies() throws
// std::invalid_argument for an empty image or parameters out of range (naming the field).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

enum class Polarity { automatic, light, dark };
const char* to_string(Polarity polarity);
Polarity polarity_from_string(const std::string& text);  // "auto" | "light" | "dark"; throws

enum class ColonyClass { colony, cfu_gm, bfu_e, cfu_gemm, unknown };
const char* to_string(ColonyClass cls);

// Rules for haematopoietic colonies, applied in order; a colony that matches none, or sits
// within `margin` of a rule's limit, is `unknown`. Redness of a pixel is R / ((G + B) / 2)
// divided by the medium's; "red pixels" exceed `red_pixel_redness`.
struct ColonyClassRules {
  bool enabled = false;  // false: every colony is class `colony` (bacteria)
  double red_pixel_redness = 1.25;
  // CFU-GEMM: large and mixed (a red part and a white part).
  double gemm_min_diameter_um = 600.0;
  double gemm_min_red_fraction = 0.2;
  double gemm_max_red_fraction = 0.7;
  // BFU-E: mostly red/brown, burst texture.
  double bfu_e_min_red_fraction = 0.6;
  double bfu_e_min_diameter_um = 200.0;
  // CFU-GM: compact, not red.
  double gm_max_red_fraction = 0.12;
  double gm_min_solidity = 0.8;
  double margin = 0.03;  // relative closeness to a limit that makes the call unsure
  // Haematopoietic colonies are textured (BFU-E bursts of small clusters): with the rules
  // enabled, a part separates only when it rises this fraction of its own peak above the split
  // level, so a burst's sub-clusters stay one colony.
  double min_dip_fraction = 0.3;
  // Haematopoietic colonies (40 cells and more) are smaller than bacterial ones: with the
  // rules enabled this replaces ColonyCountParams::min_colony_diameter_um.
  double min_colony_diameter_um = 150.0;
};

struct ColonyCountParams {
  Polarity polarity = Polarity::automatic;
  double pixel_size_um = 0.0;      // 0: derive from the dish diameter
  double dish_diameter_mm = 90.0;  // inner diameter of the dish or well
  bool find_dish = true;           // false: the whole image is the dish
  double rim_margin_fraction = 0.015;  // of the dish radius, excluded inside the fitted edge
  double min_colony_diameter_um = 300.0;
  double min_colony_diameter_px = 5.0;  // whatever the scale: smaller is camera noise
  double max_colony_diameter_um = 12000.0;
  double background_window_fraction = 0.03;  // of the dish diameter: background scale
  // The window widens to fit the widest colony: its inscribed radius at most this fraction of
  // the window radius, the window at most `max_background_window_fraction` of the dish.
  double background_fit_fraction = 0.7;
  double max_background_window_fraction = 0.25;
  double smoothing_fraction = 0.0006;  // Gaussian sigma, of the dish diameter (at least 0.7 px)
  double threshold_sigma = 3.0;     // colony edge: this many background sigmas
  double seed_sigma = 5.0;          // a colony's peak must reach this many sigmas
  double min_contrast_levels = 6.0; // on the 8-bit scale, whatever the noise
  double tree_step_sigma = 1.0;     // threshold tree step, background sigmas
  double split_min_dip_sigma = 2.0;   // a part separates when it rises this many sigmas
  double split_min_dip_levels = 2.0;  // and this many 8-bit levels above the split level
  double split_min_dip_fraction = 0.0;  // and this share of its own rise (texture on a colony's top)
  double shoulder_min_compactness = 0.55;  // a dim colony on a bright one's flank: as compact as this
                                           // (0 = not looked for)
  double shoulder_flank_margin = 1.5;      // and beyond this many flank widths from the bright core
  double relief_max_cover = 0.2;    // a round, solid part splitting into parts that cover less of it
                                    // than this is one colony with relief (a glint) on it (0 = off)
  double split_neck_ratio = 0.75;   // neck half-width / smaller part's inscribed radius that splits
  double round_max_elongation = 1.15;  // a blob this round and solid is one colony
  double round_min_solidity = 0.95;
  double appendage_open_fraction = 0.5;  // opening radius / inscribed radius that strips arcs
  double min_thickness_fraction = 0.8;   // inscribed radius / smallest colony radius
  double max_elongation = 2.5;      // major/minor axis; streaks, lamp reflections, scratches above
  double min_compactness = 0.55;    // inscribed / equivalent radius; irregular smears below
  // Colonies of one plate are alike: a part whose peak rises less than this fraction of the
  // typical colony's rise above the edge level is glow, agar texture or debris.
  double min_relative_peak = 0.25;
  double rim_zone_fraction = 0.9;   // of the counting radius: beyond, the rim rules apply
  double rim_min_relative_peak = 0.5;   // stricter there: the wall and meniscus are busy
  double rim_min_relative_area = 0.5;   // of the typical colony's area
  // and of their colour: cosine of its colour shift from the medium with the typical one's
  double rim_min_colour_similarity = 0.9;
  // A part this many typical colonies large and not solid is a cluster that could not be
  // split: counted by area and flagged.
  double cluster_min_colonies = 2.5;
  double cluster_max_solidity = 0.85;
  // Two round colonies overlapping by about a radius: a solid part (above cluster_max_solidity)
  // this elongated, as wide as the typical colony and 1.3 of its area or more, counts as two,
  // where the plate's colonies are round (median elongation under round_max_elongation).
  // 0 = never.
  double pair_min_elongation = 1.3;
  double too_many_per_cm2 = 60.0;   // density flagged "too many to count"
  double max_coverage_fraction = 0.4;  // colony area / dish area flagged as confluent
  double cells_plated = 0.0;        // > 0: report CFU per 1e5 plated cells
  ColonyClassRules classes;
};

struct DishCircle {
  cv::Point2d centre_px;
  double radius_px = 0.0;
  bool found = false;  // false: the whole image was used
};

struct Colony {
  cv::Point2d centre_px;
  double area_um2 = 0.0;
  double diameter_um = 0.0;  // equivalent-circle diameter
  cv::Scalar mean_bgr;
  double contrast = 0.0;     // mean signal above background, 8-bit levels
  double peak_contrast = 0.0;  // highest signal above background, 8-bit levels
  double red_fraction = 0.0;
  double solidity = 1.0;
  ColonyClass cls = ColonyClass::colony;
  bool from_split = false;
  int cluster_of = 1;        // > 1: an unsplittable cluster counted by its area
  std::vector<cv::Point> outline;
};

struct ColonyCount {
  int count = 0;
  std::vector<Colony> colonies;
  DishCircle dish;
  Polarity polarity_used = Polarity::light;
  std::string contrast = "grey";  // the image counted on: "grey", "colour", "strongest_channel"
  double pixel_size_um = 0.0;
  double dish_area_cm2 = 0.0;
  bool too_many_to_count = false;
  double cfu_per_1e5_cells = -1.0;  // < 0 when the plated number is not given
  std::vector<std::string> flags;
  double analysis_ms = 0.0;
  int count_of(ColonyClass cls) const;
};

ColonyCount count_colonies(const cv::Mat& image, const ColonyCountParams& params);
// A BGR copy with each colony outlined (coloured by class), the dish circle and the count.
cv::Mat draw_colony_overlay(const cv::Mat& image, const ColonyCount& count);
nlohmann::json to_json(const ColonyCount& count, bool with_colonies = true);
// Reads the fields present in `j` (same names as the struct, "classes" for the rules); throws
// std::invalid_argument naming an unknown or out-of-range field.
ColonyCountParams colony_count_params_from_json(const nlohmann::json& j, ColonyCountParams base = {});

}  // namespace assay::protocols::imaging

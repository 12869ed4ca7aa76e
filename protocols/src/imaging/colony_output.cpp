// Names, overlay, JSON and parameter parsing for the colony counter.
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "assay/protocols/imaging/colony_counter.hpp"
#include "imaging/image_prep.hpp"

namespace assay::protocols::imaging {

const char* to_string(Polarity polarity) {
  switch (polarity) {
    case Polarity::automatic: return "auto";
    case Polarity::light: return "light";
    case Polarity::dark: return "dark";
  }
  return "auto";
}

Polarity polarity_from_string(const std::string& text) {
  if (text == "auto") return Polarity::automatic;
  if (text == "light") return Polarity::light;
  if (text == "dark") return Polarity::dark;
  throw std::invalid_argument("polarity must be auto, light or dark, got '" + text + "'");
}

const char* to_string(ColonyClass cls) {
  switch (cls) {
    case ColonyClass::colony: return "colony";
    case ColonyClass::cfu_gm: return "CFU-GM";
    case ColonyClass::bfu_e: return "BFU-E";
    case ColonyClass::cfu_gemm: return "CFU-GEMM";
    case ColonyClass::unknown: return "unknown";
  }
  return "unknown";
}

namespace {

cv::Scalar class_colour(ColonyClass cls) {
  switch (cls) {
    case ColonyClass::colony: return {0, 230, 0};
    case ColonyClass::cfu_gm: return {255, 200, 0};
    case ColonyClass::bfu_e: return {0, 0, 255};
    case ColonyClass::cfu_gemm: return {255, 0, 255};
    case ColonyClass::unknown: return {0, 255, 255};
  }
  return {0, 255, 255};
}

}  // namespace

cv::Mat draw_colony_overlay(const cv::Mat& image, const ColonyCount& count) {
  std::vector<std::string> notes;
  cv::Mat out = to_bgr8(image, notes).clone();
  const int thick = std::max(1, out.cols / 1200);
  if (count.dish.found)
    cv::circle(out, count.dish.centre_px, static_cast<int>(count.dish.radius_px), {255, 128, 0}, thick, cv::LINE_AA);
  for (const Colony& c : count.colonies) {
    cv::polylines(out, c.outline, true, class_colour(c.cls), thick, cv::LINE_AA);
    if (c.from_split) cv::circle(out, c.centre_px, thick + 1, class_colour(c.cls), cv::FILLED);
  }
  std::string text = "colonies: " + std::to_string(count.count);
  if (count.too_many_to_count) text += " (too many to count)";
  const double font = std::max(0.7, out.cols / 800.0);
  const cv::Point at(10, static_cast<int>(35 * font));
  cv::putText(out, text, at, cv::FONT_HERSHEY_SIMPLEX, font, {0, 0, 0}, 4 * thick, cv::LINE_AA);
  cv::putText(out, text, at, cv::FONT_HERSHEY_SIMPLEX, font, {255, 255, 255}, thick + 1, cv::LINE_AA);
  return out;
}

nlohmann::json to_json(const ColonyCount& count, bool with_colonies) {
  nlohmann::json by_class = nlohmann::json::object();
  for (ColonyClass cls : {ColonyClass::colony, ColonyClass::cfu_gm, ColonyClass::bfu_e,
                          ColonyClass::cfu_gemm, ColonyClass::unknown}) {
    if (const int k = count.count_of(cls); k > 0) by_class[to_string(cls)] = k;
  }
  nlohmann::json j = {
      {"count", count.count},
      {"count_by_class", by_class},
      {"too_many_to_count", count.too_many_to_count},
      {"polarity", to_string(count.polarity_used)},
      {"counted_on", count.contrast},
      {"dish", {{"found", count.dish.found}, {"x_px", count.dish.centre_px.x},
                {"y_px", count.dish.centre_px.y}, {"radius_px", count.dish.radius_px}}},
      {"pixel_size_um", count.pixel_size_um},
      {"dish_area_cm2", count.dish_area_cm2},
      {"flags", count.flags},
      {"analysis_ms", count.analysis_ms}};
  if (count.cfu_per_1e5_cells >= 0.0) j["cfu_per_1e5_cells"] = count.cfu_per_1e5_cells;
  if (with_colonies) {
    nlohmann::json list = nlohmann::json::array();
    for (const Colony& c : count.colonies) {
      list.push_back({{"x_px", c.centre_px.x}, {"y_px", c.centre_px.y}, {"area_um2", c.area_um2},
                      {"diameter_um", c.diameter_um},
                      {"mean_bgr", {c.mean_bgr[0], c.mean_bgr[1], c.mean_bgr[2]}},
                      {"contrast", c.contrast}, {"red_fraction", c.red_fraction},
                      {"solidity", c.solidity}, {"class", to_string(c.cls)},
                      {"from_split", c.from_split}, {"cluster_of", c.cluster_of}});
    }
    j["colonies"] = std::move(list);
  }
  return j;
}

namespace {

void read_number(const nlohmann::json& j, const char* key, double& target, const std::string& prefix) {
  if (!j.contains(key)) return;
  if (!j.at(key).is_number())
    throw std::invalid_argument(prefix + key + " must be a number, got " + j.at(key).dump());
  target = j.at(key).get<double>();
}

}  // namespace

ColonyCountParams colony_count_params_from_json(const nlohmann::json& j, ColonyCountParams p) {
  if (j.is_null()) return p;
  if (!j.is_object()) throw std::invalid_argument("colony count parameters must be a JSON object");
  const std::pair<const char*, double*> numbers[] = {
      {"pixel_size_um", &p.pixel_size_um}, {"dish_diameter_mm", &p.dish_diameter_mm},
      {"rim_margin_fraction", &p.rim_margin_fraction},
      {"min_colony_diameter_um", &p.min_colony_diameter_um}, {"min_colony_diameter_px", &p.min_colony_diameter_px},
      {"max_colony_diameter_um", &p.max_colony_diameter_um},
      {"background_window_fraction", &p.background_window_fraction},
      {"background_fit_fraction", &p.background_fit_fraction},
      {"max_background_window_fraction", &p.max_background_window_fraction},
      {"smoothing_fraction", &p.smoothing_fraction}, {"threshold_sigma", &p.threshold_sigma},
      {"seed_sigma", &p.seed_sigma}, {"min_contrast_levels", &p.min_contrast_levels},
      {"tree_step_sigma", &p.tree_step_sigma}, {"split_min_dip_sigma", &p.split_min_dip_sigma},
      {"split_min_dip_levels", &p.split_min_dip_levels}, {"split_min_dip_fraction", &p.split_min_dip_fraction},
      {"shoulder_min_compactness", &p.shoulder_min_compactness}, {"shoulder_flank_margin", &p.shoulder_flank_margin},
      {"relief_max_cover", &p.relief_max_cover}, {"split_neck_ratio", &p.split_neck_ratio},
      {"round_max_elongation", &p.round_max_elongation}, {"round_min_solidity", &p.round_min_solidity},
      {"appendage_open_fraction", &p.appendage_open_fraction},
      {"min_thickness_fraction", &p.min_thickness_fraction}, {"max_elongation", &p.max_elongation},
      {"min_compactness", &p.min_compactness}, {"min_relative_peak", &p.min_relative_peak},
      {"rim_zone_fraction", &p.rim_zone_fraction}, {"rim_min_relative_peak", &p.rim_min_relative_peak},
      {"rim_min_relative_area", &p.rim_min_relative_area},
      {"rim_min_colour_similarity", &p.rim_min_colour_similarity}, {"cluster_min_colonies", &p.cluster_min_colonies},
      {"cluster_max_solidity", &p.cluster_max_solidity}, {"pair_min_elongation", &p.pair_min_elongation},
      {"too_many_per_cm2", &p.too_many_per_cm2},
      {"max_coverage_fraction", &p.max_coverage_fraction}, {"cells_plated", &p.cells_plated}};
  for (const auto& item : j.items()) {
    const std::string& key = item.key();
    bool known = key == "polarity" || key == "find_dish" || key == "classes";
    for (const auto& [name, target] : numbers) {
      if (key == name) {
        read_number(j, name, *target, "");
        known = true;
      }
    }
    if (!known) throw std::invalid_argument("unknown colony count parameter '" + key + "'");
  }
  if (j.contains("polarity")) {
    if (!j.at("polarity").is_string()) throw std::invalid_argument("polarity must be a string");
    p.polarity = polarity_from_string(j.at("polarity").get<std::string>());
  }
  if (j.contains("find_dish")) {
    if (!j.at("find_dish").is_boolean()) throw std::invalid_argument("find_dish must be true or false");
    p.find_dish = j.at("find_dish").get<bool>();
  }
  if (j.contains("classes")) {
    const nlohmann::json& c = j.at("classes");
    if (!c.is_object()) throw std::invalid_argument("classes must be an object of class rules");
    ColonyClassRules& r = p.classes;
    const std::pair<const char*, double*> rules[] = {
        {"red_pixel_redness", &r.red_pixel_redness}, {"gemm_min_diameter_um", &r.gemm_min_diameter_um},
        {"gemm_min_red_fraction", &r.gemm_min_red_fraction},
        {"gemm_max_red_fraction", &r.gemm_max_red_fraction},
        {"bfu_e_min_red_fraction", &r.bfu_e_min_red_fraction},
        {"bfu_e_min_diameter_um", &r.bfu_e_min_diameter_um},
        {"gm_max_red_fraction", &r.gm_max_red_fraction}, {"gm_min_solidity", &r.gm_min_solidity},
        {"margin", &r.margin}, {"min_dip_fraction", &r.min_dip_fraction},
        {"min_colony_diameter_um", &r.min_colony_diameter_um}};
    r.enabled = true;
    for (const auto& item : c.items()) {
      bool known = item.key() == "enabled";
      for (const auto& [name, target] : rules) {
        if (item.key() == name) {
          read_number(c, name, *target, "classes.");
          known = true;
        }
      }
      if (!known) throw std::invalid_argument("unknown class rule 'classes." + item.key() + "'");
    }
    if (c.contains("enabled")) {
      if (!c.at("enabled").is_boolean()) throw std::invalid_argument("classes.enabled must be true or false");
      r.enabled = c.at("enabled").get<bool>();
    }
    if (r.gemm_min_red_fraction > r.gemm_max_red_fraction)
      throw std::invalid_argument("classes.gemm_min_red_fraction must not exceed classes.gemm_max_red_fraction");
  }
  return p;
}

}  // namespace assay::protocols::imaging

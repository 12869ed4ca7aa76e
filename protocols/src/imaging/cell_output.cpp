// Overlay, JSON and parameter parsing for the stained-cell counter.
#include <stdexcept>

#include <opencv2/imgproc.hpp>

#include "assay/protocols/imaging/cell_counter.hpp"
#include "imaging/image_prep.hpp"

namespace assay::protocols::imaging {

cv::Mat draw_cell_overlay(const cv::Mat& image, const CellCount& count) {
  std::vector<std::string> notes;
  cv::Mat out = to_bgr8(image, notes).clone();
  const int thick = std::max(1, out.cols / 800);
  for (const DetectedCell& c : count.cells) {
    const cv::Scalar colour = c.from_split ? cv::Scalar(0, 200, 255) : cv::Scalar(0, 220, 0);
    if (!c.outline.empty())
      cv::polylines(out, c.outline, true, colour, thick, cv::LINE_AA);
    cv::circle(out, c.centre_px, thick + 1, colour, cv::FILLED);
  }
  const double font = std::max(0.6, out.cols / 900.0);
  const std::string text = "cells: " + std::to_string(count.count);
  cv::putText(out, text, {10, static_cast<int>(30 * font)}, cv::FONT_HERSHEY_SIMPLEX, font,
              cv::Scalar(0, 0, 0), 3 * thick, cv::LINE_AA);
  cv::putText(out, text, {10, static_cast<int>(30 * font)}, cv::FONT_HERSHEY_SIMPLEX, font,
              cv::Scalar(255, 255, 255), thick, cv::LINE_AA);
  return out;
}

nlohmann::json to_json(const CellCount& count) {
  nlohmann::json cells = nlohmann::json::array();
  for (const DetectedCell& c : count.cells) {
    cells.push_back({{"x_px", c.centre_px.x}, {"y_px", c.centre_px.y}, {"area_um2", c.area_um2},
                     {"diameter_um", c.diameter_um}, {"contrast", c.contrast},
                     {"roundness", c.roundness}, {"from_split", c.from_split}});
  }
  return {{"count", count.count}, {"cells", cells}, {"flags", count.flags},
          {"rejected", {{"pores", count.rejected_pores}, {"debris", count.rejected_debris},
                        {"diffuse", count.rejected_blurred}, {"streaks", count.rejected_streaks}}},
          {"typical_cell_diameter_px", count.typical_cell_diameter_px},
          {"stain_colour_bgr", {count.stain_colour[0], count.stain_colour[1], count.stain_colour[2]}},
          {"field_area_mm2", count.field_area_mm2},
          {"cells_per_mm2", count.field_area_mm2 > 0 ? count.count / count.field_area_mm2 : 0.0},
          {"analysis_ms", count.analysis_ms}};
}

CellCountParams cell_count_params_from_json(const nlohmann::json& j, CellCountParams p) {
  if (j.is_null()) return p;
  if (!j.is_object()) throw std::invalid_argument("cell count parameters must be a JSON object");
  const std::pair<const char*, double*> fields[] = {
      {"pixel_size_um", &p.pixel_size_um},
      {"pore_diameter_um", &p.pore_diameter_um},
      {"min_cell_diameter_um", &p.min_cell_diameter_um},
      {"max_cell_diameter_um", &p.max_cell_diameter_um},
      {"typical_cell_diameter_um", &p.typical_cell_diameter_um},
      {"min_cell_diameter_px", &p.min_cell_diameter_px},
      {"size_tolerance", &p.size_tolerance},
      {"min_contrast_od", &p.min_contrast_od},
      {"min_relative_contrast", &p.min_relative_contrast},
      {"min_stain_match", &p.min_stain_match},
      {"min_roundness", &p.min_roundness},
      {"min_separation", &p.min_separation},
      {"pressed_cell_scale", &p.pressed_cell_scale},
      {"pressed_contrast_factor", &p.pressed_contrast_factor}};
  for (const auto& [key, target] : fields) {
    if (!j.contains(key)) continue;
    if (!j.at(key).is_number())
      throw std::invalid_argument(std::string(key) + " must be a number");
    *target = j.at(key).get<double>();
  }
  for (const auto& item : j.items()) {
    bool known = false;
    for (const auto& f : fields) known = known || item.key() == f.first;
    if (!known) throw std::invalid_argument("unknown cell count parameter '" + item.key() + "'");
  }
  check_cell_count_params(p);
  return p;
}

}  // namespace assay::protocols::imaging

// Parameters of the `cfu` protocol.
#include <cmath>

#include "assay/protocols/cfu/protocol.hpp"
#include "assay/protocols/params_reader.hpp"

namespace assay::protocols::cfu {

CfuParams parse_cfu_params(const nlohmann::json& params) {
  if (!params.is_null() && !params.is_object()) throw ProtocolError("invalid_params", "params must be an object");
  const nlohmann::json& j = params.is_null() ? nlohmann::json::object() : params;
  ParamsReader reader(j, "params");
  reader.only_keys({"polarity", "tiling", "tile_overlap", "autofocus", "exposure_ms", "cells_plated",
                    "too_many_per_cm2", "classify", "class_rules", "counting", "colony_rows"});
  CfuParams p;
  nlohmann::json counting = j.value("counting", nlohmann::json::object());
  if (!counting.is_object()) throw ProtocolError("invalid_params", "params.counting must be an object of counting parameters");
  try {
    p.counting = imaging::colony_count_params_from_json(counting);
  } catch (const std::invalid_argument& e) {
    throw ProtocolError("invalid_params", std::string("params.counting: ") + e.what());
  }
  p.counting.polarity = imaging::polarity_from_string(reader.one_of("polarity", {"auto", "light", "dark"}, "auto"));
  p.tile = reader.one_of("tiling", {"auto", "single"}, "auto") == "auto";
  p.tile_overlap = reader.number("tile_overlap", p.tile_overlap, 0.0, 0.5);
  p.autofocus = reader.boolean("autofocus", p.autofocus);
  p.exposure_ms = reader.number("exposure_ms", p.exposure_ms, 0.01, 60000.0);
  p.cells_plated = reader.number("cells_plated", 0.0, 0.0, 1e10);  // as layout[].cells_plated
  if (reader.has("cells_plated") && p.cells_plated <= 0.0)
    throw ProtocolError("invalid_params", "params.cells_plated must be > 0 (cells plated per well)");
  p.counting.too_many_per_cm2 = reader.number("too_many_per_cm2", p.counting.too_many_per_cm2, 1e-6, 1e9);
  p.counting.classes.enabled = reader.boolean("classify", true);
  if (j.contains("class_rules")) {
    try {
      nlohmann::json wrapped = {{"classes", j.at("class_rules")}};
      auto with_rules = imaging::colony_count_params_from_json(wrapped, p.counting);
      with_rules.classes.enabled = p.counting.classes.enabled;
      p.counting = with_rules;
    } catch (const std::invalid_argument& e) {
      throw ProtocolError("invalid_params", std::string("params.class_rules: ") + e.what());
    }
  }
  p.colony_rows = reader.boolean("colony_rows", false);
  return p;
}

std::vector<cv::Point2d> tile_offsets_mm(double cover_mm, cv::Size2d fov_mm, double overlap) {
  auto axis = [&](double fov) {
    std::vector<double> centres;
    if (fov >= cover_mm) return std::vector<double>{0.0};
    const double step = fov * (1.0 - overlap);
    const int n = static_cast<int>(std::ceil((cover_mm - fov) / step)) + 1;
    const double span = cover_mm - fov;  // first to last centre
    for (int i = 0; i < n; ++i) centres.push_back(-0.5 * span + span * i / (n - 1));
    return centres;
  };
  std::vector<cv::Point2d> out;
  for (double y : axis(fov_mm.height))
    for (double x : axis(fov_mm.width)) out.emplace_back(x, y);
  return out;
}

}  // namespace assay::protocols::cfu

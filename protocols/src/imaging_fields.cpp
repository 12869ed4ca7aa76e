#include "assay/protocols/imaging_fields.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

#include "assay/protocols/key_names.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols {
namespace {

[[noreturn]] void bad(const std::string& path, const std::string& message) {
  throw ProtocolError("invalid_params", path + ": " + message);
}

std::string mm(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3g mm", value);
  return text;
}

double number(const nlohmann::json& value, const std::string& path) {
  if (!value.is_number()) bad(path, "must be a number");
  double out = value.get<double>();
  if (!std::isfinite(out)) bad(path, "must be finite");
  return out;
}

FieldOffset parse_offset(const nlohmann::json& item, const std::string& path) {
  if (item.is_array()) {
    if (item.size() != 2) bad(path, "must be [x_mm, y_mm]");
    return {number(item[0], path + "[0]"), number(item[1], path + "[1]")};
  }
  if (item.is_object()) {
    for (const auto& [key, value] : item.items()) {
      if (key != "x_mm" && key != "y_mm") bad(path + "." + key, unknown_key_message(key, {"x_mm", "y_mm"}));
    }
    return {item.contains("x_mm") ? number(item.at("x_mm"), path + ".x_mm") : 0.0,
            item.contains("y_mm") ? number(item.at("y_mm"), path + ".y_mm") : 0.0};
  }
  bad(path, "must be [x_mm, y_mm] or {\"x_mm\": ..., \"y_mm\": ...}");
}

// Default ring radius for "centre and four": half way to the well edge.
double default_radius(double well_diameter_mm) { return well_diameter_mm / 4.0; }

}  // namespace

nlohmann::json FieldPlan::to_json() const {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& o : offsets) list.push_back({{"x_mm", o.x_mm}, {"y_mm", o.y_mm}});
  return {{"pattern", pattern}, {"count", offsets.size()}, {"offsets", list}};
}

std::vector<FieldOffset> grid_fields(double well_diameter_mm, cv::Size2d fov_mm,
                                     const FieldGridSettings& settings) {
  double radius = 0.5 * well_diameter_mm * settings.coverage_fraction;
  double step_x = fov_mm.width * (1.0 - settings.overlap_fraction);
  double step_y = fov_mm.height * (1.0 - settings.overlap_fraction);
  auto count = [&](double fov, double step) {
    if (2.0 * radius <= fov) return 1;
    return static_cast<int>(std::ceil((2.0 * radius - fov) / step - 1e-9)) + 1;
  };
  int columns = count(fov_mm.width, step_x);
  int rows = count(fov_mm.height, step_y);
  std::vector<FieldOffset> out;
  for (int r = 0; r < rows; ++r) {
    double y = (r - (rows - 1) / 2.0) * step_y;
    std::vector<FieldOffset> row;
    for (int c = 0; c < columns; ++c) {
      double x = (c - (columns - 1) / 2.0) * step_x;
      // Closest point of the field rectangle to the well centre.
      double dx = std::max(0.0, std::abs(x) - fov_mm.width / 2.0);
      double dy = std::max(0.0, std::abs(y) - fov_mm.height / 2.0);
      if (dx * dx + dy * dy < radius * radius) row.push_back({x, y});
    }
    if (r % 2 == 1) std::reverse(row.begin(), row.end());  // serpentine
    out.insert(out.end(), row.begin(), row.end());
  }
  if (out.empty()) out.push_back({0.0, 0.0});
  return out;
}

std::vector<FieldOffset> centre_and_around(double radius_mm, int around) {
  std::vector<FieldOffset> out{{0.0, 0.0}};
  for (int i = 0; i < around; ++i) {
    double angle = 2.0 * std::numbers::pi * i / around;
    double x = radius_mm * std::cos(angle);
    double y = radius_mm * std::sin(angle);  // y grows downwards: clockwise on the plate
    out.push_back({std::abs(x) < 1e-12 ? 0.0 : x, std::abs(y) < 1e-12 ? 0.0 : y});
  }
  return out;
}

FieldPlan parse_field_plan(const nlohmann::json& fields, const std::string& path,
                           double well_diameter_mm, cv::Size2d fov_mm) {
  if (!(well_diameter_mm > 0.0)) bad(path, "the plate format has no well diameter");
  if (!(fov_mm.width > 0.0) || !(fov_mm.height > 0.0)) {
    bad(path, "the imager reports no field of view; cannot plan fields");
  }
  double well_radius = well_diameter_mm / 2.0;
  FieldPlan plan;
  std::string pattern;
  nlohmann::json options = nlohmann::json::object();
  if (fields.is_null()) {
    pattern = "centre";
  } else if (fields.is_string()) {
    pattern = fields.get<std::string>();
  } else if (fields.is_object()) {
    if (!fields.contains("pattern") || !fields.at("pattern").is_string()) {
      bad(path + ".pattern", "is required: \"grid\", \"centre\" or \"centre_and_four\"");
    }
    pattern = fields.at("pattern").get<std::string>();
    options = fields;
  } else if (fields.is_array()) {
    if (fields.empty()) bad(path, "lists no field");
    plan.pattern = "list";
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::string item_path = path + "[" + std::to_string(i) + "]";
      auto offset = parse_offset(fields[i], item_path);
      if (std::hypot(offset.x_mm, offset.y_mm) > well_radius) {
        bad(item_path, "offset (" + mm(offset.x_mm) + ", " + mm(offset.y_mm) +
                           ") puts the field centre outside the " + mm(well_diameter_mm) +
                           " well");
      }
      plan.offsets.push_back(offset);
    }
    return plan;
  } else {
    bad(path, "must be a pattern name, a pattern object or a list of offsets");
  }

  auto allow_keys = [&](std::initializer_list<const char*> keys) {
    for (const auto& [key, value] : options.items()) {
      if (key == "pattern") continue;
      if (std::find_if(keys.begin(), keys.end(), [&name = key](const char* k) { return name == k; }) ==
          keys.end()) {
        bad(path + "." + key, "is not an option of pattern \"" + pattern + "\"");
      }
    }
  };
  plan.pattern = pattern;
  if (pattern == "centre" || pattern == "center") {
    allow_keys({});
    plan.pattern = "centre";
    plan.offsets = {{0.0, 0.0}};
  } else if (pattern == "centre_and_four" || pattern == "center_and_four") {
    allow_keys({"radius_mm"});
    plan.pattern = "centre_and_four";
    double radius = options.contains("radius_mm")
                        ? number(options.at("radius_mm"), path + ".radius_mm")
                        : default_radius(well_diameter_mm);
    if (radius <= 0.0 || radius > well_radius) {
      bad(path + ".radius_mm", "must be above 0 and at most the well radius (" +
                                   mm(well_radius) + ")");
    }
    plan.offsets = centre_and_around(radius, 4);
  } else if (pattern == "grid") {
    allow_keys({"overlap", "coverage", "max_fields"});
    FieldGridSettings settings;
    if (options.contains("overlap")) {
      settings.overlap_fraction = number(options.at("overlap"), path + ".overlap");
      if (settings.overlap_fraction < 0.0 || settings.overlap_fraction > 0.5) {
        bad(path + ".overlap", "must be a fraction from 0 to 0.5 of the field size");
      }
    }
    if (options.contains("coverage")) {
      settings.coverage_fraction = number(options.at("coverage"), path + ".coverage");
      if (settings.coverage_fraction <= 0.0 || settings.coverage_fraction > 1.0) {
        bad(path + ".coverage", "must be a fraction above 0 and at most 1 of the well diameter");
      }
    }
    if (options.contains("max_fields")) {
      const auto& value = options.at("max_fields");
      if (!value.is_number_integer() || value.get<int>() < 1) {
        bad(path + ".max_fields", "must be a positive whole number");
      }
      settings.max_fields = value.get<int>();
    }
    plan.offsets = grid_fields(well_diameter_mm, fov_mm, settings);
    if (static_cast<int>(plan.offsets.size()) > settings.max_fields) {
      bad(path, "a grid over the " + mm(well_diameter_mm) + " well with a " + mm(fov_mm.width) +
                    " x " + mm(fov_mm.height) + " field of view needs " +
                    std::to_string(plan.offsets.size()) + " fields, more than max_fields (" +
                    std::to_string(settings.max_fields) +
                    "); lower the coverage or raise max_fields");
    }
  } else {
    bad(path, "unknown pattern '" + pattern +
                  "'; use \"centre\", \"centre_and_four\", \"grid\" or a list of offsets");
  }
  return plan;
}

}  // namespace assay::protocols

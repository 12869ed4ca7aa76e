#include <cmath>
#include <cstdio>

#include "assay/drivers/stage.hpp"

namespace assay::drivers {
namespace {

std::string fixed3(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f", value);
  return text;
}

Status check_axis(const char* axis, const char* unit, const char* key,
                  const std::optional<double>& value, const AxisRange& range) {
  if (!value) return Status::ok();
  if (!std::isfinite(*value)) {
    return {StatusCode::invalid_argument, std::string("stage ") + axis + " target is not a number"};
  }
  if (range.contains(*value)) return Status::ok();
  return {StatusCode::invalid_argument,
          std::string("stage ") + axis + " " + fixed3(*value) + " " + unit +
              " is outside the soft limits " + fixed3(range.min) + "-" + fixed3(range.max) + " " +
              unit + " (stage.limits." + key + " in the config)"};
}

}  // namespace

Status check_soft_limits(const StageTarget& target, const StageLimits& limits, bool has_z) {
  if (auto s = check_axis("x", "mm", "x_mm", target.x_mm, limits.x_mm); !s) return s;
  if (auto s = check_axis("y", "mm", "y_mm", target.y_mm, limits.y_mm); !s) return s;
  if (target.z_um && !has_z) {
    return {StatusCode::unsupported, "this stage has no z axis; focus cannot be moved"};
  }
  return check_axis("z", "um", "z_um", target.z_um, limits.z_um);
}

Result<StageLimits> parse_stage_limits(const nlohmann::json& limits, const std::string& path,
                                       const StageLimits& defaults) {
  if (!limits.is_object()) {
    return Status{StatusCode::invalid_argument,
                  path + ": must be a table like {x_mm = [0, 120], y_mm = [0, 80], z_um = [0, 10000]}"};
  }
  StageLimits out = defaults;
  for (const auto& [key, value] : limits.items()) {
    AxisRange* range = key == "x_mm" ? &out.x_mm : key == "y_mm" ? &out.y_mm
                     : key == "z_um" ? &out.z_um : nullptr;
    if (range == nullptr) {
      return Status{StatusCode::invalid_argument,
                    path + "." + key + ": unknown axis; use x_mm, y_mm or z_um"};
    }
    if (!value.is_array() || value.size() != 2 || !value[0].is_number() || !value[1].is_number()) {
      return Status{StatusCode::invalid_argument, path + "." + key + ": must be [min, max]"};
    }
    range->min = value[0].get<double>();
    range->max = value[1].get<double>();
    if (!(range->min < range->max)) {
      return Status{StatusCode::invalid_argument, path + "." + key + ": min must be below max"};
    }
  }
  return out;
}

}  // namespace assay::drivers

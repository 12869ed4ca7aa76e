#include "assay/protocols/chemotaxis/validate.hpp"

#include <cmath>
#include <cstdio>

#include "assay/protocols/chemotaxis/conditions.hpp"
#include "assay/protocols/protocol.hpp"

namespace assay::protocols::chemotaxis {
namespace {

[[noreturn]] void refuse(const std::string& message) {
  throw ProtocolError("invalid_params", message);
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void check_controls(const PlateLayout& layout) {
  auto positive = layout.with_role(kRolePositiveControl);
  auto negative = layout.with_role(kRoleNegativeControl);
  if (positive.empty()) {
    refuse("layout: no chemokine-only control; add inserts with chemokine + vehicle as the 100 % "
           "migration reference, e.g. {\"wells\": \"A1:A3\", \"role\": \"positive_control\"}");
  }
  if (negative.empty()) {
    refuse("layout: no no-chemokine control; the chemotactic index needs inserts without "
           "chemokine, e.g. {\"wells\": \"B1:B3\", \"role\": \"negative_control\"}");
  }
  for (const auto* well : positive) {
    if (!well->stimulated) {
      refuse("layout: positive_control insert " + well->well +
             " has no chemokine (stimulated false); the chemokine-only control needs chemokine");
    }
    if (!well->compound.empty()) {
      refuse("layout: positive_control insert " + well->well + " holds compound '" +
             well->compound + "'; the 100 % reference is chemokine + vehicle, give the compound "
             "inserts role \"sample\"");
    }
  }
  for (const auto* well : negative) {
    if (well->stimulated) {
      refuse("layout: negative_control insert " + well->well +
             " has chemokine (stimulated true); the no-chemokine control must have none");
    }
  }
  for (const auto& well : layout.wells()) {
    if (well.role == kRoleSample && well.compound.empty()) {
      refuse("layout: sample insert " + well.well + " names no compound; chemokine + vehicle "
             "inserts are role \"positive_control\", antagonist inserts need \"compound\"");
    }
  }
}

void check_replicates(const PlateLayout& layout, int min_replicates) {
  for (const auto& condition : group_conditions(layout)) {
    if (condition.role == kRoleBlank) continue;  // blanks are averaged, one is allowed
    if (static_cast<int>(condition.wells.size()) >= min_replicates) continue;
    std::string which = condition.wells.size() == 1
                            ? "insert " + condition.wells.front() + " (" + condition.key +
                                  ") has no replicate"
                            : "condition " + condition.key + " has only " +
                                  std::to_string(condition.wells.size()) + " inserts (" +
                                  join(condition.wells) + ")";
    refuse("layout: " + which + "; chemotaxis needs at least " + std::to_string(min_replicates) +
           " inserts per condition (params.min_replicates)");
  }
}

void check_fields(const PlateFormat& format, const ImagingParams& imaging) {
  double radius_mm = format.geometry.well_diameter_mm / 2.0;
  for (std::size_t i = 0; i < imaging.fields.size(); ++i) {
    const auto& f = imaging.fields[i];
    double r = std::hypot(f.x_mm, f.y_mm);
    if (r > radius_mm) {
      char text[200];
      std::snprintf(text, sizeof text,
                    "params.fields[%zu]: offset (%.2f, %.2f) mm is %.2f mm from the centre, "
                    "outside the %.1f mm insert of a %s plate",
                    i, f.x_mm, f.y_mm, r, format.geometry.well_diameter_mm, format.name.c_str());
      refuse(text);
    }
  }
}

}  // namespace

void validate_chemotaxis_layout(const PlateLayout& layout, const PlateFormat& format,
                                const ChemotaxisParams& params) {
  if (layout.wells().empty()) refuse("layout: names no inserts");
  check_controls(layout);
  check_replicates(layout, params.analysis.min_replicates);
  if (params.readout == Readout::absorbance && params.absorbance.blank_subtraction &&
      layout.with_role(kRoleBlank).empty()) {
    refuse("layout: blank subtraction is on but no well has role \"blank\" (medium + dye, no "
           "cells); add blank wells or set params.blank_subtraction to false");
  }
  if (params.readout == Readout::imaging) check_fields(format, params.imaging);
}

}  // namespace assay::protocols::chemotaxis

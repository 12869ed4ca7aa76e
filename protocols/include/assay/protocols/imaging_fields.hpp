// Fields of view to image per well: a grid tiling the well, or a list of offsets from the well
// centre ("centre and four around"). Used by the CFU and chemotaxis protocols.
//
// Offsets are in millimetres from the well centre, x to the right and y towards the bottom of
// the plate (row H), as FieldRequest expects. A grid covers the well's circle (or a central
// fraction of it) with fields overlapping by `overlap_fraction` of the field size, ordered in a
// serpentine so that the stage never jumps back across the well. Pure functions; thread-safe.
// parse_field_plan() throws ProtocolError("invalid_params") naming the JSON path at fault.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace assay::protocols {

struct FieldOffset {
  double x_mm = 0.0;
  double y_mm = 0.0;
  friend bool operator==(const FieldOffset&, const FieldOffset&) = default;
};

struct FieldGridSettings {
  double overlap_fraction = 0.1;   // of the field width/height shared by neighbours, 0 to 0.5
  double coverage_fraction = 1.0;  // of the well diameter to cover, (0, 1]
  int max_fields = 1000;           // refuse plans larger than this (a typo in the field size)
};

struct FieldPlan {
  std::string pattern;  // "grid", "centre", "centre_and_four", "list"
  std::vector<FieldOffset> offsets;
  nlohmann::json to_json() const;
};

// Fields whose rectangle touches the covered circle; at least the centre field.
std::vector<FieldOffset> grid_fields(double well_diameter_mm, cv::Size2d field_of_view_mm,
                                     const FieldGridSettings& settings = {});

// The centre field, then `around` fields evenly spaced on a circle of radius_mm, starting to the
// right (x > 0) and going clockwise as seen on the plate.
std::vector<FieldOffset> centre_and_around(double radius_mm, int around = 4);

// Parses params.fields (see docs/hardware.md):
//   "centre" | "centre_and_four" | "grid"
//   {"pattern": "grid", "overlap": 0.1, "coverage": 0.9, "max_fields": 400}
//   {"pattern": "centre_and_four", "radius_mm": 1.5}
//   [[0, 0], [1.5, 0], ...]   or   [{"x_mm": 0, "y_mm": 0}, ...]
// `path` is the JSON path for errors ("params.fields"). Offsets must keep the field centre inside
// the well. A missing value (null) means "centre".
FieldPlan parse_field_plan(const nlohmann::json& fields, const std::string& path,
                           double well_diameter_mm, cv::Size2d field_of_view_mm);

}  // namespace assay::protocols

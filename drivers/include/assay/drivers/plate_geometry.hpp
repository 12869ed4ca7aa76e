// Physical plate geometry as an instrument sees it: rows, columns and where the wells are.
//
// Drivers need the geometry to move to wells; they do not need to know what the wells hold.
// Well names are "A1".."P24" style ("A01" is accepted too); rows beyond Z use two letters
// ("AA".."AF") as 1536-well plates do. Value type, thread-compatible.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace assay::drivers {

struct PlateGeometry {
  int rows = 8;
  int columns = 12;
  double a1_x_mm = 14.38;      // centre of A1 from the plate's left edge
  double a1_y_mm = 11.24;      // centre of A1 from the plate's top edge
  double pitch_mm = 9.0;       // centre-to-centre distance
  double well_diameter_mm = 6.4;
  double length_mm = 127.76;
  double width_mm = 85.48;

  int well_count() const { return rows * columns; }
};

struct WellPosition {
  int row = 0;     // 0-based, A = 0
  int column = 0;  // 0-based, 1 = 0
  friend bool operator==(const WellPosition&, const WellPosition&) = default;
};

// Parses "A1", "a01", "AF48"; nullopt when the text is not a well name or lies outside the plate.
std::optional<WellPosition> parse_well(std::string_view name, const PlateGeometry& plate);
// Canonical name: row letters and the column without leading zeros, e.g. "B7".
std::string well_name(WellPosition position);

}  // namespace assay::drivers

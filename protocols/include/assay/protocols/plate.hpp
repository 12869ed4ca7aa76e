// Plate formats the assays run on: 96/384/1536-well microplates, a 24-well transwell plate and
// 6-well or single 35 mm dishes. Maps a format name to its geometry.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "assay/drivers/plate_geometry.hpp"

namespace assay::protocols {

struct PlateFormat {
  std::string name;  // "96", "384", "1536", "transwell-24", "dish-6", "dish-35mm"
  drivers::PlateGeometry geometry;
};

// nullopt for an unknown name; known_plate_formats() lists the valid ones for the error.
std::optional<PlateFormat> find_plate_format(const std::string& name);
std::vector<std::string> known_plate_formats();

}  // namespace assay::protocols

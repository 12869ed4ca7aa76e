#include "assay/protocols/plate.hpp"

namespace assay::protocols {
namespace {

// ANSI/SLAS microplate footprint; 6-well and 24-well transwell plates use the same footprint.
std::vector<PlateFormat> formats() {
  using drivers::PlateGeometry;
  return {
      {"96", PlateGeometry{8, 12, 14.38, 11.24, 9.0, 6.4}},
      {"384", PlateGeometry{16, 24, 12.13, 8.99, 4.5, 3.3}},
      {"1536", PlateGeometry{32, 48, 11.005, 7.865, 2.25, 1.5}},
      {"transwell-24", PlateGeometry{4, 6, 17.05, 13.67, 19.3, 6.5}},
      {"dish-6", PlateGeometry{2, 3, 24.76, 23.16, 39.12, 34.8}},
      {"dish-35mm", PlateGeometry{1, 1, 63.88, 42.74, 0.0, 35.0}},
  };
}

}  // namespace

std::optional<PlateFormat> find_plate_format(const std::string& name) {
  for (auto& format : formats()) {
    if (format.name == name) return format;
  }
  return std::nullopt;
}

std::vector<std::string> known_plate_formats() {
  std::vector<std::string> names;
  for (auto& format : formats()) names.push_back(format.name);
  return names;
}

}  // namespace assay::protocols

// Counting crystal-violet stained cells on a transwell membrane field (bright-field image).
//
// count_stained_cells() finds dark purple cells on the lighter membrane, ignores the regular
// pore lattice (dots smaller than `pore_diameter_um`), debris (wrong colour, too small or too
// large, irregular) and out-of-focus blobs (low edge sharpness), and splits touching cells by
// distance-transform peaks. All sizes are in micrometres and converted with `pixel_size_um`,
// so the same parameters hold for any camera at a given objective.
//
// Pure functions of their arguments: thread-safe, no global state. Input: 8-bit BGR or grey
// (grey images lose the colour test), or 16-bit (scaled down to 8 bits). Throws
// std::invalid_argument for an empty image or a non-positive pixel size.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct CellCountParams {
  double pixel_size_um = 0.65;           // 10x objective on a typical 6.5 um-pixel camera
  double pore_diameter_um = 8.0;         // membrane pores; dots up to ~1.4x this are not cells
  double min_cell_diameter_um = 9.0;     // smaller stained objects are debris or pores
  double max_cell_diameter_um = 60.0;    // larger single objects are clumps of debris
  double typical_cell_diameter_um = 20.0;  // used to split touching cells and size clumps
  double background_window_um = 120.0;   // local background (illumination) scale
  double min_contrast = 0.12;            // stain darkness relative to background (0..1)
  double min_edge_sharpness_per_um = 0.25;  // edge gradient / contrast; out-of-focus is below
  double min_purple_ratio = 1.03;        // (R+B)/(2G) of the object; grey/brown debris is below
  double min_solidity = 0.55;            // area / convex hull area of a single cell
  double split_neck_ratio = 0.75;        // split a clump where its neck is narrower than this
};

struct DetectedCell {
  cv::Point2d centre_px;
  double area_um2 = 0.0;
  double diameter_um = 0.0;  // equivalent-circle diameter
  double contrast = 0.0;     // mean darkness relative to background (0..1)
  double sharpness = 0.0;
  bool from_split = false;  // one of several cells separated from a touching clump
  std::vector<cv::Point> outline;
};

struct CellCount {
  int count = 0;
  std::vector<DetectedCell> cells;
  std::vector<std::string> flags;  // "empty_field", "very_dense", "grey_image_no_colour_test", ...
  int rejected_pores = 0;
  int rejected_debris = 0;
  int rejected_blurred = 0;
  double field_area_mm2 = 0.0;
  double analysis_ms = 0.0;
};

CellCount count_stained_cells(const cv::Mat& image, const CellCountParams& params);
// A copy of the image (BGR) with every counted cell outlined and the count written on it.
cv::Mat draw_cell_overlay(const cv::Mat& image, const CellCount& count);
nlohmann::json to_json(const CellCount& count);
// Reads CellCountParams fields present in `j` (same names); throws std::invalid_argument naming
// the field when a value is out of range.
CellCountParams cell_count_params_from_json(const nlohmann::json& j, CellCountParams base = {});

}  // namespace assay::protocols::imaging

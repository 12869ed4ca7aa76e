// Counting stained cells or nuclei in a bright-field field: crystal violet on a transwell
// membrane, haematoxylin-stained nuclei, or any dye (dark on light; light-on-dark fluorescence
// fields are detected and inverted).
//
// count_stained_cells() works without being told the cell size or the stain colour:
//  1. stain density: optical density above the local background, along the stain's own colour
//     (taken from the most stained pixels of the image);
//  2. cell size: the typical cell is the size at which the strong blobs of the image answer a
//     scale-normalised Laplacian of Gaussian (within the stated diameter range when the pixel
//     size is known, within the whole image's range when it is not);
//  3. cells: scale-space maxima near that size, above an absolute and a field-relative contrast;
//     touching cells are separate maxima, so clumps split without a segmentation; a cell pressed
//     against a darker one is looked for at a smaller scale beside the cells found;
//  4. rejections: smaller blobs (pores, stain crystals, noise), larger ones (swab smears,
//     cells out of the focal plane of the membrane's other side), streaks (fibres, smear edges)
//     and blobs of another colour than the stain (debris).
// Sizes in the parameters are micrometres when `pixel_size_um` > 0; with pixel_size_um = 0 the
// pixel size is unknown and only the image decides. Faint and slightly out-of-focus cells
// are counted: a blurred cell keeps its size and most of its contrast.
//
// Pure functions of their arguments: thread-safe, no global state. Input: 8-bit BGR or grey
// (grey images lose the colour test), or 16-bit (scaled down to 8 bits). Throws
// std::invalid_argument for an empty image or a parameter out of range (naming it).
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

struct CellCountParams {
  double pixel_size_um = 0.0;             // 0: unknown, every size is measured from the image
  double pore_diameter_um = 8.0;          // membrane pores: blobs up to 1.4x this are not cells
  double min_cell_diameter_um = 7.0;      // with a known pixel size: smaller blobs are not cells
  double max_cell_diameter_um = 60.0;     // with a known pixel size: larger blobs are not cells
  double typical_cell_diameter_um = 0.0;  // 0: measured in each image (recommended)
  double min_cell_diameter_px = 5.0;      // with an unknown pixel size: the smallest cell we resolve
  double size_tolerance = 1.6;            // a cell's own size is within typical x/÷ this
  double min_contrast_od = 0.3;           // optical density of a cell above its surroundings
  double min_relative_contrast = 0.18;    // of the field's strong cells: fainter is texture
  double min_stain_match = 0.98;          // cosine of a blob's colour to the stain's (1 = same)
  double min_roundness = 0.12;            // Hessian eigenvalue ratio: streaks and fibres are below
  double min_separation = 0.4;            // of the typical diameter: closer maxima are one cell
  double pressed_cell_scale = 0.8;        // of the typical size: where a cell pressed against a
                                          // darker one still peaks (0 = do not look)
  double pressed_contrast_factor = 1.5;   // such a cell must reach this many times the floor
};

struct DetectedCell {
  cv::Point2d centre_px;
  double area_um2 = 0.0;     // of the fitted disk (px^2 when the pixel size is unknown)
  double diameter_um = 0.0;  // of the fitted disk (px when the pixel size is unknown)
  double contrast = 0.0;     // optical density of the stain above the field at the centre
  double roundness = 1.0;
  bool from_split = false;  // touches another counted cell (a clump resolved into cells)
  std::vector<cv::Point> outline;
};

struct CellCount {
  int count = 0;
  std::vector<DetectedCell> cells;
  std::vector<std::string> flags;  // "empty_field", "light_objects_inverted", "grey_image_no_colour_test", ...
  double typical_cell_diameter_px = 0.0;
  cv::Vec3f stain_colour;  // unit (B, G, R) optical density direction of the stain
  int rejected_pores = 0;    // smaller than a cell: pores, stain crystals, specks
  int rejected_debris = 0;   // another colour than the stain
  int rejected_blurred = 0;  // larger and more diffuse than a cell: smears, far out of focus
  int rejected_streaks = 0;  // elongated ridges: fibres, smear edges, scratches
  double field_area_mm2 = 0.0;  // 0 when the pixel size is unknown
  double analysis_ms = 0.0;
};

CellCount count_stained_cells(const cv::Mat& image, const CellCountParams& params);
// A copy of the image (BGR) with every counted cell outlined and the count written on it.
cv::Mat draw_cell_overlay(const cv::Mat& image, const CellCount& count);
nlohmann::json to_json(const CellCount& count);
// Reads CellCountParams fields present in `j` (same names); throws std::invalid_argument naming
// the field when a value is out of range.
CellCountParams cell_count_params_from_json(const nlohmann::json& j, CellCountParams base = {});
// Throws std::invalid_argument naming the first parameter out of range.
void check_cell_count_params(const CellCountParams& params);

}  // namespace assay::protocols::imaging

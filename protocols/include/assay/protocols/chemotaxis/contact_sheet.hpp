// Contact sheet of the imaged transwell fields: one row per insert, one tile per field, each
// tile a downscaled overlay of the counted cells labelled with its field and count, so a person
// can check every count at a glance.
//
// Pure apart from the file; thread-safe. write_contact_sheet() throws std::runtime_error naming
// the file when it cannot be written, std::invalid_argument when there is nothing to draw.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::chemotaxis {

struct ContactSheetTile {
  cv::Mat image;      // 8-bit BGR or grey; scaled to fit the tile
  std::string row;    // the insert, e.g. "B3 balixafortide 10 nM"; one sheet row per value
  std::string label;  // e.g. "f2: 57 cells"
};

struct ContactSheetOptions {
  int tile_px = 240;           // longest side of a tile
  int label_height_px = 22;
  int row_header_px = 200;     // width of the insert label at the left of each row
  int gap_px = 4;
  double font_scale = 0.45;
};

// A BGR copy scaled so its longest side is options.tile_px: keep these, not full frames.
cv::Mat contact_sheet_thumbnail(const cv::Mat& image, const ContactSheetOptions& options = {});

cv::Mat render_contact_sheet(const std::vector<ContactSheetTile>& tiles, const ContactSheetOptions& options = {});
void write_contact_sheet(const std::filesystem::path& path, const std::vector<ContactSheetTile>& tiles,
                         const ContactSheetOptions& options = {});

}  // namespace assay::protocols::chemotaxis

// Contact sheet of the imaged transwell fields: one row per insert, one tile per field, each
// tile a downscaled overlay of the counted cells labelled with its field and count, so a person
// can check every count at a glance.
//
// Pure apart from the file; thread-safe. write_contact_sheet() writes JPEG for a .jpg path (a
// plate's sheet stays a few MB), else by the extension; it throws std::runtime_error naming the
// file when it cannot be written, std::invalid_argument when there is nothing to draw.
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

// A tile shows the whole field at about a third of its size: a 20 um cell of a 1024 px field at
// 1 um per pixel stays 7 px wide with its outline, enough to see and check it.
struct ContactSheetOptions {
  int tile_px = 360;           // longest side of a tile
  int label_height_px = 24;
  int row_header_px = 220;     // width of the insert label at the left of each row
  int gap_px = 4;
  double font_scale = 0.5;
  int jpeg_quality = 85;       // a .jpg sheet (photographs compress ~10x better than PNG)
};

// A BGR copy scaled so its longest side is options.tile_px: keep these, not full frames.
cv::Mat contact_sheet_thumbnail(const cv::Mat& image, const ContactSheetOptions& options = {});

cv::Mat render_contact_sheet(const std::vector<ContactSheetTile>& tiles, const ContactSheetOptions& options = {});
void write_contact_sheet(const std::filesystem::path& path, const std::vector<ContactSheetTile>& tiles,
                         const ContactSheetOptions& options = {});

}  // namespace assay::protocols::chemotaxis

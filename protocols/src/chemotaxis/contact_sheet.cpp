#include "assay/protocols/chemotaxis/contact_sheet.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/image_file.hpp"

namespace assay::protocols::chemotaxis {
namespace {

const cv::Scalar kBackground(255, 255, 255);
const cv::Scalar kText(20, 20, 20);

cv::Mat to_bgr(const cv::Mat& image) {
  cv::Mat bgr;
  if (image.channels() == 1) {
    cv::cvtColor(image, bgr, cv::COLOR_GRAY2BGR);
  } else if (image.channels() == 4) {
    cv::cvtColor(image, bgr, cv::COLOR_BGRA2BGR);
  } else {
    bgr = image;
  }
  if (bgr.depth() != CV_8U) {
    cv::Mat scaled;
    cv::normalize(bgr, scaled, 0, 255, cv::NORM_MINMAX, CV_8U);
    bgr = scaled;
  }
  return bgr;
}

}  // namespace

cv::Mat contact_sheet_thumbnail(const cv::Mat& image, const ContactSheetOptions& options) {
  if (image.empty()) return {};
  cv::Mat bgr = to_bgr(image);
  double scale = static_cast<double>(options.tile_px) / std::max(bgr.cols, bgr.rows);
  cv::Size size(std::clamp(static_cast<int>(bgr.cols * scale + 0.5), 1, options.tile_px),
                std::clamp(static_cast<int>(bgr.rows * scale + 0.5), 1, options.tile_px));
  cv::Mat small;
  cv::resize(bgr, small, size, 0, 0, scale < 1.0 ? cv::INTER_AREA : cv::INTER_LINEAR);
  return small;
}

cv::Mat render_contact_sheet(const std::vector<ContactSheetTile>& tiles, const ContactSheetOptions& options) {
  if (tiles.empty()) throw std::invalid_argument("contact sheet: no fields to draw");
  std::vector<std::string> rows;
  std::vector<int> row_of(tiles.size());
  std::vector<int> column_of(tiles.size());
  std::vector<int> columns_in_row;
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    auto it = std::find(rows.begin(), rows.end(), tiles[i].row);
    if (it == rows.end()) {
      rows.push_back(tiles[i].row);
      columns_in_row.push_back(0);
      it = std::prev(rows.end());
    }
    auto r = static_cast<int>(it - rows.begin());
    row_of[i] = r;
    column_of[i] = columns_in_row[r]++;
  }
  int columns = *std::max_element(columns_in_row.begin(), columns_in_row.end());
  int cell_w = options.tile_px + options.gap_px;
  int cell_h = options.tile_px + options.label_height_px + options.gap_px;
  cv::Mat sheet(static_cast<int>(rows.size()) * cell_h + options.gap_px,
                options.row_header_px + columns * cell_w + options.gap_px, CV_8UC3, kBackground);

  for (std::size_t r = 0; r < rows.size(); ++r) {
    int y = static_cast<int>(r) * cell_h + options.gap_px + options.tile_px / 2;
    cv::putText(sheet, rows[r], {options.gap_px, y}, cv::FONT_HERSHEY_SIMPLEX, options.font_scale, kText, 1,
                cv::LINE_AA);
  }
  for (std::size_t i = 0; i < tiles.size(); ++i) {
    int x0 = options.row_header_px + column_of[i] * cell_w + options.gap_px;
    int y0 = row_of[i] * cell_h + options.gap_px;
    if (!tiles[i].image.empty()) {
      cv::Mat small = contact_sheet_thumbnail(tiles[i].image, options);
      small.copyTo(sheet(cv::Rect(x0, y0, small.cols, small.rows)));
    }
    cv::putText(sheet, tiles[i].label, {x0, y0 + options.tile_px + options.label_height_px - 6},
                cv::FONT_HERSHEY_SIMPLEX, options.font_scale, kText, 1, cv::LINE_AA);
  }
  return sheet;
}

void write_contact_sheet(const std::filesystem::path& path, const std::vector<ContactSheetTile>& tiles,
                         const ContactSheetOptions& options) {
  cv::Mat sheet = render_contact_sheet(tiles, options);
  try {
    drivers::write_image(path, sheet, options.jpeg_quality);
  } catch (const drivers::ImageFileError& e) {
    throw std::runtime_error(std::string("contact sheet: ") + e.what());
  }
}

}  // namespace assay::protocols::chemotaxis

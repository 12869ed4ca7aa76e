#include "assay/drivers/plate_geometry.hpp"

#include <cctype>

namespace assay::drivers {

std::optional<WellPosition> parse_well(std::string_view name, const PlateGeometry& plate) {
  std::size_t i = 0;
  int row = 0;
  int letters = 0;
  while (i < name.size() && std::isalpha(static_cast<unsigned char>(name[i]))) {
    if (letters == 2) return std::nullopt;  // no plate has more than two row letters (AF = 32)
    row = row * 26 + (std::toupper(static_cast<unsigned char>(name[i])) - 'A' + 1);
    ++i;
    ++letters;
  }
  if (letters == 0 || i == name.size()) return std::nullopt;
  int column = 0;
  int digits = 0;
  for (; i < name.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(name[i])) || digits == 3) return std::nullopt;
    column = column * 10 + (name[i] - '0');
    ++digits;
  }
  WellPosition position{row - 1, column - 1};
  if (position.row < 0 || position.row >= plate.rows) return std::nullopt;
  if (position.column < 0 || position.column >= plate.columns) return std::nullopt;
  return position;
}

std::string well_name(WellPosition position) {
  std::string letters;
  int row = position.row + 1;
  while (row > 0) {
    letters.insert(letters.begin(), static_cast<char>('A' + (row - 1) % 26));
    row = (row - 1) / 26;
  }
  return letters + std::to_string(position.column + 1);
}

}  // namespace assay::drivers

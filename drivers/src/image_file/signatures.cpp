// File signatures (magic numbers) of the formats decode_image accepts.
#include <algorithm>
#include <array>

#include "image_file/codecs.hpp"

namespace assay::drivers::image_file {
namespace {

template <std::size_t N>
bool starts_with(Bytes bytes, const std::array<unsigned char, N>& magic) {
  return bytes.size() >= N && std::equal(magic.begin(), magic.end(), bytes.begin());
}

}  // namespace

bool is_png(Bytes bytes) { return starts_with(bytes, std::array<unsigned char, 8>{0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A}); }

bool is_jpeg(Bytes bytes) { return starts_with(bytes, std::array<unsigned char, 3>{0xFF, 0xD8, 0xFF}); }

// Classic TIFF (42) and BigTIFF (43), little- and big-endian.
bool is_tiff(Bytes bytes) {
  return starts_with(bytes, std::array<unsigned char, 4>{'I', 'I', 42, 0}) ||
         starts_with(bytes, std::array<unsigned char, 4>{'M', 'M', 0, 42}) ||
         starts_with(bytes, std::array<unsigned char, 4>{'I', 'I', 43, 0}) ||
         starts_with(bytes, std::array<unsigned char, 4>{'M', 'M', 0, 43});
}

}  // namespace assay::drivers::image_file

// The per-format halves of assay/drivers/image_file.hpp: signature tests, decoders and the size
// check they share. Each decoder throws ImageFileError naming its format and what is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include <opencv2/core/mat.hpp>

namespace assay::drivers::image_file {

using Bytes = std::span<const unsigned char>;

bool is_png(Bytes bytes);
bool is_jpeg(Bytes bytes);
bool is_tiff(Bytes bytes);

cv::Mat decode_png(Bytes bytes);
cv::Mat decode_jpeg(Bytes bytes);
cv::Mat decode_tiff(Bytes bytes);

// Throws unless a width x height image of `channels` samples of `bytes_per_sample` fits in a
// cv::Mat and in kMaxImageBytes; `format` names the file type in the message.
void check_image_size(const char* format, std::uint64_t width, std::uint64_t height, int channels,
                      int bytes_per_sample);

}  // namespace assay::drivers::image_file

// Image files: PNG, JPEG and TIFF to and from cv::Mat, on libpng, libjpeg-turbo and libtiff.
//
// OpenCV's imgcodecs would do the same but loads about 140 shared libraries (GDAL, DICOM, HDF5,
// OpenEXR...) when a program starts; these three are all the lab's cameras and tools write.
// A decoded image is what cv::imdecode(bytes, cv::IMREAD_UNCHANGED) returns: channels in BGR or
// BGRA order, grey as one channel, depth CV_8U or CV_16U, no EXIF rotation.
//
// Bad input (unknown format, corrupt or truncated data, a size beyond kMaxImageBytes) throws
// ImageFileError saying what is wrong; the decoders are written for hostile files and neither
// crash nor leak on them. Every function is thread-safe: no state is shared between calls.
#pragma once

#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <vector>

#include <opencv2/core/mat.hpp>

namespace assay::drivers {

class ImageFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The largest decoded image accepted (pixels times bytes per pixel): a small file may declare a
// huge image, and it is refused before any memory is taken for it.
inline constexpr std::size_t kMaxImageBytes = std::size_t{1} << 30;

enum class ImageFormat { unknown, png, jpeg, tiff };

// The format by the file's signature (its first bytes); nothing else is checked.
ImageFormat image_format_of(std::span<const unsigned char> bytes);

// PNG, JPEG or TIFF, recognised by its signature; the first page of a multi-page TIFF.
cv::Mat decode_image(std::span<const unsigned char> bytes);
// Reads the whole file and decodes it; errors name the path.
cv::Mat read_image(const std::filesystem::path& path);
// The whole file (a regular file in one read, a pipe or device to its end); errors name the path
// and the system's reason.
std::vector<unsigned char> read_file_bytes(const std::filesystem::path& path);

// PNG of an 8- or 16-bit image of 1 (grey), 3 (BGR) or 4 (BGRA) channels.
std::vector<unsigned char> encode_png(const cv::Mat& image);
// Baseline JPEG (4:2:0) of an 8-bit grey or BGR image; quality 0-100.
std::vector<unsigned char> encode_jpeg(const cv::Mat& image, int quality);
// Writes PNG (.png) or JPEG (.jpg, .jpeg; any case) by the path's extension; errors name the path.
void write_image(const std::filesystem::path& path, const cv::Mat& image, int jpeg_quality = 95);

}  // namespace assay::drivers

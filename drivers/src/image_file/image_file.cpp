// Format dispatch by signature and extension, file reading and writing, the shared size check.
#include "assay/drivers/image_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <string>

#include "assay/drivers/unique_fd.hpp"
#include "image_file/codecs.hpp"

namespace assay::drivers {

namespace image_file {

void check_image_size(const char* format, std::uint64_t width, std::uint64_t height, int channels,
                      int bytes_per_sample) {
  const std::string size = std::to_string(width) + "x" + std::to_string(height);
  if (width == 0 || height == 0) throw ImageFileError(std::string(format) + " image has no pixels (" + size + ")");
  const std::uint64_t row_bytes = width * static_cast<std::uint64_t>(channels * bytes_per_sample);
  if (width > INT_MAX || height > INT_MAX || row_bytes > kMaxImageBytes || height > kMaxImageBytes / row_bytes) {
    throw ImageFileError(std::string(format) + " image of " + size + " pixels is too large (limit " +
                         std::to_string(kMaxImageBytes >> 20) + " MiB decoded)");
  }
}

}  // namespace image_file

ImageFormat image_format_of(std::span<const unsigned char> bytes) {
  if (image_file::is_png(bytes)) return ImageFormat::png;
  if (image_file::is_jpeg(bytes)) return ImageFormat::jpeg;
  if (image_file::is_tiff(bytes)) return ImageFormat::tiff;
  return ImageFormat::unknown;
}

cv::Mat decode_image(std::span<const unsigned char> bytes) {
  if (bytes.empty()) throw ImageFileError("image data is empty (0 bytes)");
  switch (image_format_of(bytes)) {
    case ImageFormat::png:
      return image_file::decode_png(bytes);
    case ImageFormat::jpeg:
      return image_file::decode_jpeg(bytes);
    case ImageFormat::tiff:
      return image_file::decode_tiff(bytes);
    default:
      throw ImageFileError("not a PNG, JPEG or TIFF image");
  }
}

std::vector<unsigned char> read_file_bytes(const std::filesystem::path& path) {
  const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) throw ImageFileError("cannot open " + path.string() + " for reading: " + std::strerror(errno));
  struct stat info {};
  std::vector<unsigned char> bytes;
  // A regular file is read into a buffer of its size; anything else grows as it arrives.
  if (::fstat(fd.get(), &info) == 0 && S_ISREG(info.st_mode)) bytes.reserve(static_cast<std::size_t>(info.st_size) + 1);
  std::size_t used = 0;
  for (;;) {
    if (bytes.size() == used) bytes.resize(std::max<std::size_t>(bytes.capacity(), used + (std::size_t{1} << 16)));
    const ssize_t got = ::read(fd.get(), bytes.data() + used, bytes.size() - used);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) throw ImageFileError("cannot read " + path.string() + ": " + std::strerror(errno));
    if (got == 0) break;
    used += static_cast<std::size_t>(got);
  }
  bytes.resize(used);
  return bytes;
}

cv::Mat read_image(const std::filesystem::path& path) {
  const std::vector<unsigned char> bytes = read_file_bytes(path);
  try {
    return decode_image(bytes);
  } catch (const ImageFileError& e) {
    throw ImageFileError(path.string() + ": " + e.what());
  }
}

void write_image(const std::filesystem::path& path, const cv::Mat& image, int jpeg_quality) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
  if (ext != ".png" && ext != ".jpg" && ext != ".jpeg") {
    throw ImageFileError("cannot write image " + path.string() + ": " +
                         (ext.empty() ? std::string("no extension") : "extension '" + ext + "'") +
                         " (use .png, .jpg or .jpeg)");
  }
  std::vector<unsigned char> bytes;
  try {
    bytes = ext == ".png" ? encode_png(image) : encode_jpeg(image, jpeg_quality);
  } catch (const ImageFileError& e) {
    throw ImageFileError("cannot write image " + path.string() + ": " + e.what());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw ImageFileError("cannot open " + path.string() + " for writing (check the folder and its permissions)");
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw ImageFileError("cannot write image " + path.string() + " (disk full?)");
}

}  // namespace assay::drivers

// PNG encoding on libpng with the settings of cv::imwrite's default (fastest zlib level, the Sub
// filter, run-length strategy): image files of the daemon are written often and read rarely.
//
// libpng reports errors by longjmp; write_png below holds only plain values, so the jump skips no
// destructor. The output vector grows in a callback that turns a failed allocation into png_error.
#include <png.h>
#include <zlib.h>

#include <bit>
#include <csetjmp>
#include <cstdio>
#include <string>
#include <vector>

#include "assay/drivers/image_file.hpp"
#include "image_file/codecs.hpp"

namespace assay::drivers {
namespace {

struct PngOutput {
  std::vector<unsigned char>* bytes;
  char message[256];
};

void write_bytes(png_structp png, png_bytep data, std::size_t length) {
  auto* out = static_cast<PngOutput*>(png_get_io_ptr(png));
  bool grown = true;
  try {
    out->bytes->insert(out->bytes->end(), data, data + length);
  } catch (const std::bad_alloc&) {
    grown = false;
  }
  if (!grown) png_error(png, "out of memory");
}

void flush_bytes(png_structp) {}

void on_error(png_structp png, png_const_charp message) {
  auto* out = static_cast<PngOutput*>(png_get_error_ptr(png));
  std::snprintf(out->message, sizeof out->message, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}

class PngWriteStruct final {
 public:
  explicit PngWriteStruct(PngOutput& out) {
    png_ = png_create_write_struct(PNG_LIBPNG_VER_STRING, &out, on_error, on_warning);
    if (png_) info_ = png_create_info_struct(png_);
    if (!info_) {
      png_destroy_write_struct(&png_, nullptr);
      throw ImageFileError("out of memory starting the PNG encoder");
    }
    png_set_write_fn(png_, &out, write_bytes, flush_bytes);
  }
  ~PngWriteStruct() { png_destroy_write_struct(&png_, &info_); }
  PngWriteStruct(const PngWriteStruct&) = delete;
  PngWriteStruct& operator=(const PngWriteStruct&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

bool write_png(png_structp png, png_infop info, int width, int height, int bit_depth, int color_type,
               png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_filter(png, PNG_FILTER_TYPE_BASE, PNG_FILTER_SUB);
  png_set_compression_level(png, Z_BEST_SPEED);
  png_set_compression_strategy(png, Z_RLE);
  png_set_IHDR(png, info, static_cast<png_uint_32>(width), static_cast<png_uint_32>(height), bit_depth, color_type,
               PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_BASE, PNG_FILTER_TYPE_BASE);
  png_write_info(png, info);
  if (color_type & PNG_COLOR_MASK_COLOR) png_set_bgr(png);
  if (bit_depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);
  png_write_image(png, rows);
  png_write_end(png, info);
  return true;
}

}  // namespace

std::vector<unsigned char> encode_png(const cv::Mat& image) {
  if (image.empty()) throw ImageFileError("cannot encode an empty image as PNG");
  if (image.depth() != CV_8U && image.depth() != CV_16U) {
    throw ImageFileError("PNG takes 8- or 16-bit unsigned images, not depth " + std::to_string(image.depth()) +
                         " (convert it first)");
  }
  const int channels = image.channels();
  if (channels != 1 && channels != 3 && channels != 4) {
    throw ImageFileError("PNG takes 1, 3 or 4 channels, not " + std::to_string(channels));
  }
  const int color_type = channels == 1 ? PNG_COLOR_TYPE_GRAY : channels == 3 ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA;
  // libpng copies each row before it swaps channels or bytes, so the image is only read.
  std::vector<png_bytep> rows(image.rows);
  for (int y = 0; y < image.rows; ++y) rows[y] = const_cast<png_bytep>(image.ptr(y));
  std::vector<unsigned char> bytes;
  PngOutput out{&bytes, {}};
  PngWriteStruct writer(out);
  if (!write_png(writer.png(), writer.info(), image.cols, image.rows, image.depth() == CV_16U ? 16 : 8, color_type,
                 rows.data())) {
    throw ImageFileError(std::string("PNG encoding failed (") + out.message + ")");
  }
  return bytes;
}

}  // namespace assay::drivers

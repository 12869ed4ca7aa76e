// PNG decoding on libpng, with the transforms cv::imdecode(IMREAD_UNCHANGED) applies: palette and
// 1/2/4-bit grey expanded to 8 bits, a tRNS chunk on a colour image made an alpha channel, grey
// with alpha made BGRA, 16 bits kept.
//
// libpng reports errors by longjmp to the last setjmp. Each function below that calls libpng
// sets its own jump point and holds only plain values, so a jump skips no destructor; the cv::Mat
// and the row pointers are made by the caller between those calls.
#include <png.h>

#include <bit>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "assay/drivers/image_file.hpp"
#include "image_file/codecs.hpp"

namespace assay::drivers::image_file {
namespace {

// Ancillary chunks (text, ICC profiles) larger than this are refused: a hostile file could
// otherwise make libpng allocate up to 4 GiB for one.
constexpr png_alloc_size_t kMaxChunkBytes = 16u << 20;

// What libpng's callbacks share with the decoder; plain data.
struct PngInput {
  const unsigned char* data;
  std::size_t size;
  std::size_t pos;
  bool truncated;
  char message[256];
};

void read_bytes(png_structp png, png_bytep out, std::size_t length) {
  auto* in = static_cast<PngInput*>(png_get_io_ptr(png));
  if (length > in->size - in->pos) {
    in->truncated = true;
    png_error(png, "PNG data is truncated");
  }
  std::memcpy(out, in->data + in->pos, length);
  in->pos += length;
}

void on_error(png_structp png, png_const_charp message) {
  auto* in = static_cast<PngInput*>(png_get_error_ptr(png));
  std::snprintf(in->message, sizeof in->message, "%s", message);
  png_longjmp(png, 1);
}

void on_warning(png_structp, png_const_charp) {}  // like OpenCV: a damaged ancillary chunk is skipped

class PngReadStruct final {
 public:
  explicit PngReadStruct(PngInput& in) {
    png_ = png_create_read_struct(PNG_LIBPNG_VER_STRING, &in, on_error, on_warning);
    if (png_) info_ = png_create_info_struct(png_);
    if (!info_) {
      png_destroy_read_struct(&png_, nullptr, nullptr);
      throw ImageFileError("out of memory starting the PNG decoder");
    }
    png_set_read_fn(png_, &in, read_bytes);
    png_set_chunk_malloc_max(png_, kMaxChunkBytes);
  }
  ~PngReadStruct() { png_destroy_read_struct(&png_, info_ ? &info_ : nullptr, nullptr); }
  PngReadStruct(const PngReadStruct&) = delete;
  PngReadStruct& operator=(const PngReadStruct&) = delete;

  png_structp png() const { return png_; }
  png_infop info() const { return info_; }

 private:
  png_structp png_ = nullptr;
  png_infop info_ = nullptr;
};

struct PngLayout {
  png_uint_32 width;
  png_uint_32 height;
  int bit_depth;
  int color_type;
  bool has_trns;
};

bool read_header(png_structp png, png_infop info, PngLayout& layout) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_info(png, info);
  int interlace = 0;
  png_get_IHDR(png, info, &layout.width, &layout.height, &layout.bit_depth, &layout.color_type, &interlace,
               nullptr, nullptr);
  layout.has_trns = png_get_valid(png, info, PNG_INFO_tRNS) != 0;
  return true;
}

// The channel count cv::imdecode gives this layout.
int channels_of(const PngLayout& layout) {
  switch (layout.color_type) {
    case PNG_COLOR_TYPE_RGB:
    case PNG_COLOR_TYPE_PALETTE:
      return layout.has_trns ? 4 : 3;
    case PNG_COLOR_TYPE_GRAY_ALPHA:
    case PNG_COLOR_TYPE_RGB_ALPHA:
      return 4;
    default:
      return 1;
  }
}

bool set_transforms(png_structp png, png_infop info, const PngLayout& layout, int channels) {
  if (setjmp(png_jmpbuf(png))) return false;
  if (layout.bit_depth == 16 && std::endian::native == std::endian::little) png_set_swap(png);  // PNG is big-endian
  if (channels < 4) png_set_strip_alpha(png);
  else png_set_tRNS_to_alpha(png);
  if (layout.color_type == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if ((layout.color_type & PNG_COLOR_MASK_COLOR) == 0 && layout.bit_depth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (layout.color_type & PNG_COLOR_MASK_COLOR) png_set_bgr(png);
  else if (channels > 1) png_set_gray_to_rgb(png);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  return true;
}

bool read_rows(png_structp png, png_bytepp rows) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_read_image(png, rows);
  png_read_end(png, nullptr);
  return true;
}

[[noreturn]] void fail(const PngInput& in) {
  if (in.truncated) throw ImageFileError("PNG data is truncated");
  throw ImageFileError(std::string("PNG data is corrupt (") + in.message + ")");
}

}  // namespace

cv::Mat decode_png(Bytes bytes) {
  PngInput in{bytes.data(), bytes.size(), 0, false, {}};
  PngReadStruct reader(in);
  PngLayout layout{};
  if (!read_header(reader.png(), reader.info(), layout)) fail(in);
  const int channels = channels_of(layout);
  const int depth = layout.bit_depth == 16 ? CV_16U : CV_8U;
  check_image_size("PNG", layout.width, layout.height, channels, depth == CV_16U ? 2 : 1);
  if (!set_transforms(reader.png(), reader.info(), layout, channels)) fail(in);

  cv::Mat image(static_cast<int>(layout.height), static_cast<int>(layout.width), CV_MAKETYPE(depth, channels));
  if (png_get_rowbytes(reader.png(), reader.info()) != image.cols * image.elemSize()) {
    throw ImageFileError("PNG layout is not supported (colour type " + std::to_string(layout.color_type) +
                         ", " + std::to_string(layout.bit_depth) + " bits)");
  }
  std::vector<png_bytep> rows(image.rows);
  for (int y = 0; y < image.rows; ++y) rows[y] = image.ptr(y);
  if (!read_rows(reader.png(), rows.data())) fail(in);
  return image;
}

}  // namespace assay::drivers::image_file

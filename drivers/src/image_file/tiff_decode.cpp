// TIFF decoding on libtiff (first page). 8- and 16-bit unsigned grey, RGB and RGBA in one plane,
// in strips or tiles and any compression libtiff reads, are decoded sample for sample (16 bits
// kept); other layouts (palette, bilevel, YCbCr, CMYK, separate planes, 4 bits) go through
// libtiff's RGBA reader and come out 8-bit grey, BGR or BGRA.
//
// libtiff reports errors through a per-handle callback and return codes (no longjmp); the
// callback keeps the first message for the exception.
#include <tiffio.h>

#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/image_file.hpp"
#include "image_file/codecs.hpp"

namespace assay::drivers::image_file {
namespace {

// The largest single buffer libtiff may allocate (a strip, a tile, a tag array).
constexpr tmsize_t kMaxTiffAlloc = tmsize_t{256} << 20;

struct TiffInput {
  const unsigned char* data;
  std::size_t size;
  std::size_t pos;
  char message[256];
};

tmsize_t read_proc(thandle_t handle, void* out, tmsize_t count) {
  auto* in = static_cast<TiffInput*>(handle);
  if (count <= 0 || in->pos >= in->size) return 0;
  const std::size_t n = std::min(static_cast<std::size_t>(count), in->size - in->pos);
  std::memcpy(out, in->data + in->pos, n);
  in->pos += n;
  return static_cast<tmsize_t>(n);
}
tmsize_t write_proc(thandle_t, void*, tmsize_t) { return 0; }
toff_t seek_proc(thandle_t handle, toff_t offset, int whence) {
  auto* in = static_cast<TiffInput*>(handle);
  const toff_t base = whence == SEEK_CUR ? in->pos : whence == SEEK_END ? in->size : 0;
  if (offset > UINT64_MAX - base) return static_cast<toff_t>(-1);
  in->pos = static_cast<std::size_t>(base + offset);  // past the end reads nothing
  return base + offset;
}
int close_proc(thandle_t) { return 0; }
toff_t size_proc(thandle_t handle) { return static_cast<TiffInput*>(handle)->size; }
int map_proc(thandle_t, void**, toff_t*) { return 0; }
void unmap_proc(thandle_t, void*, toff_t) {}

int on_error(TIFF*, void* user, const char* module, const char* format, va_list args) {
  auto* in = static_cast<TiffInput*>(user);
  if (in->message[0] == '\0') std::vsnprintf(in->message, sizeof in->message, format, args);
  return 1;  // handled: libtiff's global handler (stderr) stays quiet
}
int on_warning(TIFF*, void*, const char*, const char*, va_list) { return 1; }

struct TiffCloser {
  void operator()(TIFF* tif) const { TIFFClose(tif); }
};
using TiffHandle = std::unique_ptr<TIFF, TiffCloser>;

struct TiffOptionsFree {
  void operator()(TIFFOpenOptions* options) const { TIFFOpenOptionsFree(options); }
};

TiffHandle open_tiff(TiffInput& in) {
  std::unique_ptr<TIFFOpenOptions, TiffOptionsFree> options(TIFFOpenOptionsAlloc());
  if (!options) throw ImageFileError("out of memory starting the TIFF decoder");
  TIFFOpenOptionsSetMaxSingleMemAlloc(options.get(), kMaxTiffAlloc);
  TIFFOpenOptionsSetErrorHandlerExtR(options.get(), on_error, &in);
  TIFFOpenOptionsSetWarningHandlerExtR(options.get(), on_warning, &in);
  // "m": no memory mapping, every read goes through read_proc and its bounds check.
  return TiffHandle(TIFFClientOpenExt("image.tif", "rm", &in, read_proc, write_proc, seek_proc, close_proc,
                                      size_proc, map_proc, unmap_proc, options.get()));
}

[[noreturn]] void fail(const TiffInput& in, const std::string& what) {
  throw ImageFileError("TIFF data is corrupt (" + (in.message[0] ? std::string(in.message) : what) + ")");
}

struct TiffLayout {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::uint16_t bits = 1;
  std::uint16_t samples = 1;
  std::uint16_t photometric = PHOTOMETRIC_MINISBLACK;
  std::uint16_t planar = PLANARCONFIG_CONTIG;
  std::uint16_t sample_format = SAMPLEFORMAT_UINT;
  bool has_alpha = false;
};

TiffLayout layout_of(TIFF* tif, const TiffInput& in) {
  TiffLayout l;
  if (!TIFFGetField(tif, TIFFTAG_IMAGEWIDTH, &l.width) || !TIFFGetField(tif, TIFFTAG_IMAGELENGTH, &l.height)) {
    fail(in, "no image size");
  }
  TIFFGetFieldDefaulted(tif, TIFFTAG_BITSPERSAMPLE, &l.bits);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLESPERPIXEL, &l.samples);
  TIFFGetFieldDefaulted(tif, TIFFTAG_PLANARCONFIG, &l.planar);
  TIFFGetFieldDefaulted(tif, TIFFTAG_SAMPLEFORMAT, &l.sample_format);
  if (!TIFFGetField(tif, TIFFTAG_PHOTOMETRIC, &l.photometric)) {
    l.photometric = l.samples >= 3 ? PHOTOMETRIC_RGB : PHOTOMETRIC_MINISBLACK;
  }
  std::uint16_t extra_count = 0;
  std::uint16_t* extra_types = nullptr;
  if (TIFFGetField(tif, TIFFTAG_EXTRASAMPLES, &extra_count, &extra_types) && extra_count > 0 && extra_types) {
    l.has_alpha = extra_types[0] == EXTRASAMPLE_ASSOCALPHA || extra_types[0] == EXTRASAMPLE_UNASSALPHA;
  }
  return l;
}

// Grey, RGB or RGBA samples of 8 or 16 bits, unsigned, in one plane: copied as they are.
bool is_direct(const TiffLayout& l) {
  const bool grey = l.photometric == PHOTOMETRIC_MINISBLACK && l.samples == 1;
  const bool colour = l.photometric == PHOTOMETRIC_RGB && (l.samples == 3 || l.samples == 4) &&
                      l.planar == PLANARCONFIG_CONTIG;
  return (l.bits == 8 || l.bits == 16) && l.sample_format == SAMPLEFORMAT_UINT && (grey || colour);
}

// Every strip or tile must lie inside the data; libtiff would otherwise report a short read.
void check_not_truncated(TIFF* tif, std::size_t size) {
  const std::uint32_t count = TIFFIsTiled(tif) ? TIFFNumberOfTiles(tif) : TIFFNumberOfStrips(tif);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t offset = TIFFGetStrileOffset(tif, i);
    const std::uint64_t length = TIFFGetStrileByteCount(tif, i);
    if (offset > size || length > size - offset) throw ImageFileError("TIFF data is truncated");
  }
}

void read_strips(TIFF* tif, const TiffInput& in, cv::Mat& image) {
  std::uint32_t rows_per_strip = 0;
  TIFFGetFieldDefaulted(tif, TIFFTAG_ROWSPERSTRIP, &rows_per_strip);
  if (rows_per_strip == 0 || rows_per_strip > static_cast<std::uint32_t>(image.rows)) rows_per_strip = image.rows;
  const std::size_t row_bytes = image.cols * image.elemSize();
  if (TIFFScanlineSize64(tif) != row_bytes) fail(in, "unexpected row size");
  std::vector<unsigned char> strip(row_bytes * rows_per_strip);
  for (std::uint32_t y = 0; y < static_cast<std::uint32_t>(image.rows); y += rows_per_strip) {
    const std::uint32_t rows = std::min(rows_per_strip, image.rows - y);
    const tmsize_t want = static_cast<tmsize_t>(rows * row_bytes);
    if (TIFFReadEncodedStrip(tif, TIFFComputeStrip(tif, y, 0), strip.data(), want) < want) {
      fail(in, "strip at row " + std::to_string(y) + " decodes short");
    }
    for (std::uint32_t r = 0; r < rows; ++r) std::memcpy(image.ptr(y + r), strip.data() + r * row_bytes, row_bytes);
  }
}

void read_tiles(TIFF* tif, const TiffInput& in, cv::Mat& image) {
  std::uint32_t tile_w = 0, tile_h = 0;
  TIFFGetField(tif, TIFFTAG_TILEWIDTH, &tile_w);
  TIFFGetField(tif, TIFFTAG_TILELENGTH, &tile_h);
  const std::size_t pixel_bytes = image.elemSize();
  if (tile_w == 0 || tile_h == 0 || TIFFTileRowSize64(tif) != tile_w * pixel_bytes) fail(in, "unexpected tile size");
  const std::size_t tile_row_bytes = tile_w * pixel_bytes;
  std::vector<unsigned char> tile(tile_row_bytes * tile_h);
  const tmsize_t want = static_cast<tmsize_t>(tile.size());
  for (std::uint32_t y = 0; y < static_cast<std::uint32_t>(image.rows); y += tile_h) {
    for (std::uint32_t x = 0; x < static_cast<std::uint32_t>(image.cols); x += tile_w) {
      if (TIFFReadEncodedTile(tif, TIFFComputeTile(tif, x, y, 0, 0), tile.data(), want) < want) {
        fail(in, "tile at " + std::to_string(x) + "," + std::to_string(y) + " decodes short");
      }
      const std::uint32_t rows = std::min(tile_h, image.rows - y);
      const std::size_t bytes = std::min(tile_w, image.cols - x) * pixel_bytes;
      for (std::uint32_t r = 0; r < rows; ++r) {
        std::memcpy(image.ptr(y + r) + x * pixel_bytes, tile.data() + r * tile_row_bytes, bytes);
      }
    }
  }
}

cv::Mat read_direct(TIFF* tif, const TiffInput& in, const TiffLayout& l) {
  const int depth = l.bits == 16 ? CV_16U : CV_8U;
  check_image_size("TIFF", l.width, l.height, l.samples, l.bits / 8);
  cv::Mat image(static_cast<int>(l.height), static_cast<int>(l.width), CV_MAKETYPE(depth, l.samples));
  if (TIFFIsTiled(tif)) read_tiles(tif, in, image);
  else read_strips(tif, in, image);
  if (l.samples == 3) cv::cvtColor(image, image, cv::COLOR_RGB2BGR);
  if (l.samples == 4) cv::cvtColor(image, image, cv::COLOR_RGBA2BGRA);
  return image;
}

// Layouts the sample-for-sample path does not cover, through libtiff's RGBA reader.
cv::Mat read_rgba(TIFF* tif, const TiffInput& in, const TiffLayout& l) {
  char reason[1024] = {};
  if (!TIFFRGBAImageOK(tif, reason)) {
    throw ImageFileError("TIFF layout is not supported (" + std::string(reason) + ")");
  }
  const bool grey = (l.photometric == PHOTOMETRIC_MINISBLACK || l.photometric == PHOTOMETRIC_MINISWHITE) &&
                    l.samples == 1;
  const int channels = grey ? 1 : l.has_alpha ? 4 : 3;
  check_image_size("TIFF", l.width, l.height, 4, 1);  // the RGBA raster
  std::vector<std::uint32_t> raster(static_cast<std::size_t>(l.width) * l.height);
  if (!TIFFReadRGBAImageOriented(tif, l.width, l.height, raster.data(), ORIENTATION_TOPLEFT, 0)) {
    fail(in, "the image cannot be read");
  }
  cv::Mat image(static_cast<int>(l.height), static_cast<int>(l.width), CV_8UC(channels));
  for (int y = 0; y < image.rows; ++y) {
    const std::uint32_t* src = raster.data() + static_cast<std::size_t>(y) * l.width;
    unsigned char* out = image.ptr(y);
    for (int x = 0; x < image.cols; ++x) {
      const std::uint32_t p = src[x];
      if (channels == 1) {
        out[x] = static_cast<unsigned char>(TIFFGetR(p));
        continue;
      }
      unsigned char* o = out + x * channels;
      o[0] = static_cast<unsigned char>(TIFFGetB(p));
      o[1] = static_cast<unsigned char>(TIFFGetG(p));
      o[2] = static_cast<unsigned char>(TIFFGetR(p));
      if (channels == 4) o[3] = static_cast<unsigned char>(TIFFGetA(p));
    }
  }
  return image;
}

}  // namespace

cv::Mat decode_tiff(Bytes bytes) {
  TiffInput in{bytes.data(), bytes.size(), 0, {}};
  TiffHandle tif = open_tiff(in);
  if (!tif) {
    // libtiff's words for a short read, which from memory means the data ends too early.
    if (std::strstr(in.message, "Can not read") || std::strstr(in.message, "Cannot read")) {
      throw ImageFileError("TIFF data is truncated");
    }
    fail(in, "cannot open");
  }
  const TiffLayout layout = layout_of(tif.get(), in);
  if (layout.sample_format != SAMPLEFORMAT_UINT) {
    throw ImageFileError("TIFF with signed or floating-point samples is not supported (use 8- or 16-bit unsigned)");
  }
  check_not_truncated(tif.get(), bytes.size());
  if (is_direct(layout)) return read_direct(tif.get(), in, layout);
  if (layout.bits == 16 && layout.photometric == PHOTOMETRIC_MINISBLACK) {
    throw ImageFileError("16-bit grey TIFF with " + std::to_string(layout.samples) +
                         " samples per pixel is not supported (use one sample per pixel)");
  }
  return read_rgba(tif.get(), in, layout);
}

}  // namespace assay::drivers::image_file

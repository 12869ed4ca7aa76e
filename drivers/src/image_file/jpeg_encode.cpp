// JPEG encoding on libjpeg-turbo with the settings of cv::imwrite: libjpeg's defaults (baseline,
// 4:2:0 chroma, JFIF header) and the standard tables scaled to the quality.
//
// libjpeg reports errors through error_exit, which longjmps to write_jpeg's jump point; that
// function holds only plain values, so the jump skips no destructor.
#include <cstdio>  // before jpeglib.h, which uses FILE

#include <jpeglib.h>

#include <csetjmp>
#include <cstdlib>
#include <string>
#include <vector>

#include "assay/drivers/image_file.hpp"

namespace assay::drivers {
namespace {

struct JpegErrors {
  jpeg_error_mgr pub;  // first: libjpeg hands error_exit a pointer to it
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  std::longjmp(errors->jump, 1);
}

void on_output(j_common_ptr) {}

// The compressor and the buffer jpeg_mem_dest allocates with malloc, released once.
struct JpegWriter {
  jpeg_compress_struct cinfo;
  JpegErrors errors;
  unsigned char* buffer;
  unsigned long size;
  bool created;
};

class JpegWriterGuard final {
 public:
  explicit JpegWriterGuard(JpegWriter& writer) : writer_(writer) {}
  ~JpegWriterGuard() {
    if (writer_.created) jpeg_destroy_compress(&writer_.cinfo);
    std::free(writer_.buffer);
  }
  JpegWriterGuard(const JpegWriterGuard&) = delete;
  JpegWriterGuard& operator=(const JpegWriterGuard&) = delete;

 private:
  JpegWriter& writer_;
};

bool write_jpeg(JpegWriter& w, const cv::Mat& image, int quality) {
  w.cinfo.err = jpeg_std_error(&w.errors.pub);
  w.errors.pub.error_exit = on_error;
  w.errors.pub.output_message = on_output;
  if (setjmp(w.errors.jump)) return false;
  jpeg_create_compress(&w.cinfo);
  w.created = true;
  jpeg_mem_dest(&w.cinfo, &w.buffer, &w.size);
  w.cinfo.image_width = static_cast<JDIMENSION>(image.cols);
  w.cinfo.image_height = static_cast<JDIMENSION>(image.rows);
  w.cinfo.input_components = image.channels();
  w.cinfo.in_color_space = image.channels() == 1 ? JCS_GRAYSCALE : JCS_EXT_BGR;
  jpeg_set_defaults(&w.cinfo);
  jpeg_set_quality(&w.cinfo, quality, TRUE);
  jpeg_start_compress(&w.cinfo, TRUE);
  while (w.cinfo.next_scanline < w.cinfo.image_height) {
    // libjpeg reads the rows and never writes them.
    JSAMPROW row = const_cast<JSAMPROW>(image.ptr(static_cast<int>(w.cinfo.next_scanline)));
    jpeg_write_scanlines(&w.cinfo, &row, 1);
  }
  jpeg_finish_compress(&w.cinfo);
  return true;
}

}  // namespace

std::vector<unsigned char> encode_jpeg(const cv::Mat& image, int quality) {
  if (image.empty()) throw ImageFileError("cannot encode an empty image as JPEG");
  if (image.depth() != CV_8U || (image.channels() != 1 && image.channels() != 3)) {
    throw ImageFileError("JPEG takes 8-bit grey or BGR images, not " + std::to_string(image.channels()) +
                         " channels of depth " + std::to_string(image.depth()) + " (convert it first)");
  }
  if (quality < 0 || quality > 100) {
    throw ImageFileError("JPEG quality must be 0-100, not " + std::to_string(quality));
  }
  if (image.cols > JPEG_MAX_DIMENSION || image.rows > JPEG_MAX_DIMENSION) {
    throw ImageFileError("JPEG cannot hold " + std::to_string(image.cols) + "x" + std::to_string(image.rows) +
                         " pixels (at most " + std::to_string(JPEG_MAX_DIMENSION) + " a side)");
  }
  JpegWriter writer{};
  JpegWriterGuard guard(writer);
  if (!write_jpeg(writer, image, quality)) {
    throw ImageFileError(std::string("JPEG encoding failed (") + writer.errors.message + ")");
  }
  return std::vector<unsigned char>(writer.buffer, writer.buffer + writer.size);
}

}  // namespace assay::drivers

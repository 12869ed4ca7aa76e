// JPEG decoding on libjpeg-turbo, as cv::imdecode(IMREAD_UNCHANGED) does it: grey stays one
// channel, YCbCr and RGB become BGR, CMYK and YCCK become BGR by OpenCV's formula; default
// (accurate integer) IDCT and fancy upsampling; corrupt-data warnings ignored, no EXIF rotation.
// Unlike libjpeg's memory source, which pads a cut-off file with grey, running out of data is an
// error.
//
// libjpeg reports errors through error_exit, which longjmps to the jump point of the function
// below that called it. Those functions hold only plain values, so a jump skips no destructor.
#include <cstdio>  // before jpeglib.h, which uses FILE

#include <jerror.h>
#include <jpeglib.h>

#include <csetjmp>
#include <string>

#include "assay/drivers/image_file.hpp"
#include "image_file/codecs.hpp"

namespace assay::drivers::image_file {
namespace {

// A progressive JPEG may hold thousands of tiny scans, each a pass over the whole image; real
// encoders write about ten.
constexpr int kMaxScans = 500;

enum class JpegFailure { none, truncated, too_many_scans, library };

// Everything libjpeg's callbacks reach through cinfo; `err` first, as libjpeg casts to it.
struct JpegErrors {
  jpeg_error_mgr pub;
  std::jmp_buf jump;
  JpegFailure failure;
  char message[JMSG_LENGTH_MAX];
};

[[noreturn]] void fail_with(j_common_ptr cinfo, JpegFailure failure) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  errors->failure = failure;
  std::longjmp(errors->jump, 1);
}

void on_error(j_common_ptr cinfo) {
  auto* errors = reinterpret_cast<JpegErrors*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, errors->message);
  fail_with(cinfo, JpegFailure::library);
}

void on_message(j_common_ptr, int) {}  // warnings (corrupt data) are ignored, as OpenCV does
void on_output(j_common_ptr) {}

// The whole file is in memory: a request for more data means the file ends too early.
void init_source(j_decompress_ptr) {}
boolean fill_input_buffer(j_decompress_ptr cinfo) {
  fail_with(reinterpret_cast<j_common_ptr>(cinfo), JpegFailure::truncated);
}
void skip_input_data(j_decompress_ptr cinfo, long count) {
  if (count <= 0) return;
  jpeg_source_mgr* src = cinfo->src;
  if (static_cast<unsigned long>(count) > src->bytes_in_buffer) {
    fail_with(reinterpret_cast<j_common_ptr>(cinfo), JpegFailure::truncated);
  }
  src->next_input_byte += count;
  src->bytes_in_buffer -= static_cast<std::size_t>(count);
}
void term_source(j_decompress_ptr) {}

void on_progress(j_common_ptr cinfo) {
  auto* d = reinterpret_cast<j_decompress_ptr>(cinfo);
  if (d->input_scan_number > kMaxScans) fail_with(cinfo, JpegFailure::too_many_scans);
}

// The decompressor and its callbacks, destroyed once.
struct JpegReader {
  jpeg_decompress_struct cinfo;
  JpegErrors errors;
  jpeg_source_mgr source;
  jpeg_progress_mgr progress;
  bool created;
};

class JpegReaderGuard final {
 public:
  explicit JpegReaderGuard(JpegReader& reader) : reader_(reader) {}
  ~JpegReaderGuard() {
    if (reader_.created) jpeg_destroy_decompress(&reader_.cinfo);
  }
  JpegReaderGuard(const JpegReaderGuard&) = delete;
  JpegReaderGuard& operator=(const JpegReaderGuard&) = delete;

 private:
  JpegReader& reader_;
};

bool start(JpegReader& r, Bytes bytes) {
  r.cinfo.err = jpeg_std_error(&r.errors.pub);
  r.errors.pub.error_exit = on_error;
  r.errors.pub.emit_message = on_message;
  r.errors.pub.output_message = on_output;
  if (setjmp(r.errors.jump)) return false;
  jpeg_create_decompress(&r.cinfo);
  r.created = true;
  r.source.next_input_byte = bytes.data();
  r.source.bytes_in_buffer = bytes.size();
  r.source.init_source = init_source;
  r.source.fill_input_buffer = fill_input_buffer;
  r.source.skip_input_data = skip_input_data;
  r.source.resync_to_restart = jpeg_resync_to_restart;
  r.source.term_source = term_source;
  r.cinfo.src = &r.source;
  r.progress.progress_monitor = on_progress;
  r.cinfo.progress = &r.progress;
  jpeg_read_header(&r.cinfo, TRUE);
  return true;
}

bool read_pixels(JpegReader& r, cv::Mat& image) {
  if (setjmp(r.errors.jump)) return false;
  const bool cmyk = r.cinfo.num_components == 4;
  r.cinfo.out_color_space = image.channels() == 1 ? JCS_GRAYSCALE : cmyk ? JCS_CMYK : JCS_EXT_BGR;
  jpeg_start_decompress(&r.cinfo);
  if (r.cinfo.output_width != static_cast<JDIMENSION>(image.cols) ||
      r.cinfo.output_height != static_cast<JDIMENSION>(image.rows)) {
    ERREXIT(&r.cinfo, JERR_IMAGE_TOO_BIG);
  }
  // libjpeg's own pool: freed by jpeg_destroy_decompress, so a jump leaks nothing.
  JSAMPARRAY cmyk_row = cmyk ? (*r.cinfo.mem->alloc_sarray)(reinterpret_cast<j_common_ptr>(&r.cinfo), JPOOL_IMAGE,
                                                            r.cinfo.output_width * 4, 1)
                             : nullptr;
  while (r.cinfo.output_scanline < r.cinfo.output_height) {
    unsigned char* out = image.ptr(static_cast<int>(r.cinfo.output_scanline));
    JSAMPROW row = cmyk ? cmyk_row[0] : out;
    if (jpeg_read_scanlines(&r.cinfo, &row, 1) != 1) ERREXIT(&r.cinfo, JERR_INPUT_EOF);
    if (!cmyk) continue;
    // OpenCV's CMYK to BGR (icvCvt_CMYK2BGR_8u_C4C3R), for files written by Adobe's inverted CMYK.
    for (JDIMENSION x = 0; x < r.cinfo.output_width; ++x) {
      const unsigned char* p = row + 4 * x;
      const int k = p[3];
      out[3 * x + 2] = static_cast<unsigned char>(k - ((255 - p[0]) * k >> 8));
      out[3 * x + 1] = static_cast<unsigned char>(k - ((255 - p[1]) * k >> 8));
      out[3 * x + 0] = static_cast<unsigned char>(k - ((255 - p[2]) * k >> 8));
    }
  }
  jpeg_finish_decompress(&r.cinfo);
  return true;
}

[[noreturn]] void fail(const JpegReader& r) {
  switch (r.errors.failure) {
    case JpegFailure::truncated:
      throw ImageFileError("JPEG data is truncated");
    case JpegFailure::too_many_scans:
      throw ImageFileError("JPEG has more than " + std::to_string(kMaxScans) + " progressive scans (corrupt or hostile file)");
    default:
      throw ImageFileError(std::string("JPEG data is corrupt (") + r.errors.message + ")");
  }
}

}  // namespace

cv::Mat decode_jpeg(Bytes bytes) {
  JpegReader reader{};
  JpegReaderGuard guard(reader);
  if (!start(reader, bytes)) fail(reader);
  const int components = reader.cinfo.num_components;
  if (components != 1 && components != 3 && components != 4) {
    throw ImageFileError("JPEG with " + std::to_string(components) +
                         " colour components is not supported (grey, YCbCr, RGB, CMYK or YCCK)");
  }
  const int channels = components == 1 ? 1 : 3;
  check_image_size("JPEG", reader.cinfo.image_width, reader.cinfo.image_height, channels, 1);
  cv::Mat image(static_cast<int>(reader.cinfo.image_height), static_cast<int>(reader.cinfo.image_width),
                CV_8UC(channels));
  if (!read_pixels(reader, image)) fail(reader);
  return image;
}

}  // namespace assay::drivers::image_file

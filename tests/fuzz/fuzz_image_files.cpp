// Image files handed to assayctl count or read back by the daemon: PNG, JPEG and TIFF from any
// camera or tool, or damaged on the way. Every failure must be an ImageFileError.
#include "assay/drivers/image_file.hpp"
#include "fuzz/fuzz_target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const cv::Mat image = assay::drivers::decode_image({data, size});
    if (image.empty()) std::abort();  // success means pixels
  } catch (const assay::drivers::ImageFileError&) {
  } catch (const std::exception& e) {
    assay::fuzz::unexpected("image files", e);
  }
  return 0;
}

// The image-file codecs (libpng, libjpeg-turbo, libtiff) against OpenCV's imgcodecs: same pixels,
// channel order and depth as cv::imread(IMREAD_UNCHANGED), and clear errors on bad files.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "assay/drivers/image_file.hpp"

namespace fs = std::filesystem;
using assay::drivers::decode_image;
using assay::drivers::encode_jpeg;
using assay::drivers::encode_png;
using assay::drivers::ImageFileError;

namespace {

// Random pixels over the whole range of the depth: every bit of every sample is checked.
cv::Mat random_image(int depth, int channels, int seed, int width = 67, int height = 41) {
  cv::Mat image(height, width, CV_MAKETYPE(depth, channels));
  cv::RNG rng(seed);
  rng.fill(image, cv::RNG::UNIFORM, 0, depth == CV_16U ? 65536 : 256);
  return image;
}

// A smooth scene (gradients and discs) of the kind a camera sees, which JPEG keeps close.
cv::Mat photo_like(int channels) {
  cv::Mat image(240, 320, CV_8UC3);
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) image.at<cv::Vec3b>(y, x) = cv::Vec3b(x * 255 / 320, y * 255 / 240, 128);
  }
  cv::circle(image, {100, 120}, 40, {30, 200, 60}, -1, cv::LINE_AA);
  cv::circle(image, {220, 90}, 25, {220, 40, 90}, -1, cv::LINE_AA);
  cv::GaussianBlur(image, image, {5, 5}, 1.5);
  if (channels == 1) cv::cvtColor(image, image, cv::COLOR_BGR2GRAY);
  return image;
}

bool identical(const cv::Mat& a, const cv::Mat& b) {
  return a.type() == b.type() && a.size() == b.size() && cv::norm(a, b, cv::NORM_INF) == 0;
}

std::vector<unsigned char> file_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

fs::path scratch_dir() {
  std::random_device random;
  const fs::path dir = fs::temp_directory_path() / ("image-file-" + std::to_string(random()));
  fs::create_directories(dir);
  return dir;
}

std::string decode_error(const std::vector<unsigned char>& bytes) {
  try {
    (void)decode_image(bytes);
  } catch (const ImageFileError& e) {
    return e.what();
  }
  return "(no error)";
}

// Where the frame header (SOF0: length, precision, height, width, components) of a JPEG starts.
std::size_t start_of_frame(const std::vector<unsigned char>& jpeg) {
  std::size_t at = 2;
  while (at + 9 < jpeg.size() && !(jpeg[at] == 0xFF && jpeg[at + 1] == 0xC0)) ++at;
  REQUIRE(at + 9 < jpeg.size());
  return at;
}

// A minimal uncompressed grey TIFF in one strip, its directory first (OpenCV writes it last), in
// either byte order: what a microscope's own software may write.
std::vector<unsigned char> grey_tiff(const cv::Mat& image, bool big_endian) {
  std::vector<unsigned char> out;
  const auto put = [&](std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out.push_back(static_cast<unsigned char>(value >> (8 * (big_endian ? bytes - 1 - i : i))));
  };
  const auto entry = [&](std::uint16_t tag, std::uint16_t type, std::uint32_t value) {  // type 3 SHORT, 4 LONG
    put(tag, 2);
    put(type, 2);
    put(1, 4);
    put(value, type == 3 ? 2 : 4);  // a SHORT sits in the first two bytes of the field
    if (type == 3) put(0, 2);
  };
  const int sample_bytes = image.depth() == CV_16U ? 2 : 1;
  const auto rows = static_cast<std::uint32_t>(image.rows), cols = static_cast<std::uint32_t>(image.cols);
  out.insert(out.end(), 2, big_endian ? 'M' : 'I');
  put(42, 2);
  put(8, 4);  // the directory follows the header
  put(9, 2);
  entry(256, 4, cols);
  entry(257, 4, rows);
  entry(258, 3, 8 * sample_bytes);
  entry(259, 3, 1);  // no compression
  entry(262, 3, 1);  // black is zero
  entry(273, 4, 8 + 2 + 9 * 12 + 4);  // the strip starts after the directory
  entry(277, 3, 1);
  entry(278, 4, rows);
  entry(279, 4, rows * cols * sample_bytes);
  put(0, 4);  // no further directory
  for (int y = 0; y < image.rows; ++y) {
    for (int x = 0; x < image.cols; ++x) put(sample_bytes == 2 ? image.at<std::uint16_t>(y, x) : image.at<std::uint8_t>(y, x), sample_bytes);
  }
  return out;
}

std::vector<unsigned char> cv_encode(const std::string& ext, const cv::Mat& image, std::vector<int> params = {}) {
  std::vector<unsigned char> bytes;
  REQUIRE(cv::imencode(ext, image, bytes, params));
  return bytes;
}

}  // namespace

TEST_CASE("PNG round trip keeps every sample of 8- and 16-bit grey, BGR and BGRA") {
  for (int depth : {CV_8U, CV_16U}) {
    for (int channels : {1, 3, 4}) {
      INFO("depth " << depth << ", " << channels << " channels");
      const cv::Mat image = random_image(depth, channels, 10 * depth + channels);
      const std::vector<unsigned char> png = encode_png(image);
      CHECK(identical(decode_image(png), image));
      CHECK(identical(cv::imdecode(png, cv::IMREAD_UNCHANGED), image));  // other readers agree
    }
  }
}

TEST_CASE("JPEG round trip of grey and BGR stays within JPEG error and matches OpenCV's encoder") {
  for (int channels : {1, 3}) {
    INFO(channels << " channels");
    const cv::Mat image = photo_like(channels);
    const std::vector<unsigned char> jpeg = encode_jpeg(image, 95);
    const cv::Mat back = decode_image(jpeg);
    REQUIRE(back.type() == image.type());
    REQUIRE(back.size() == image.size());
    CHECK(cv::PSNR(back, image) > 38.0);
    CHECK(jpeg == cv_encode(".jpg", image, {cv::IMWRITE_JPEG_QUALITY, 95}));  // same libjpeg, same settings
    CHECK(encode_jpeg(image, 50).size() < jpeg.size() / 2 + jpeg.size() / 4);
  }
}

TEST_CASE("PNG and JPEG files written by OpenCV decode exactly as cv::imread reads them") {
  const fs::path dir = scratch_dir();
  std::vector<std::pair<std::string, cv::Mat>> files;
  for (int depth : {CV_8U, CV_16U}) {
    for (int channels : {1, 3, 4}) {
      files.emplace_back("png_" + std::to_string(depth) + "_" + std::to_string(channels) + ".png",
                         random_image(depth, channels, 7 * channels + depth));
    }
  }
  files.emplace_back("grey.jpg", photo_like(1));
  files.emplace_back("colour.jpg", photo_like(3));
  files.emplace_back("noise.jpg", random_image(CV_8U, 3, 5, 333, 211));  // odd size: partial MCUs
  for (const auto& [name, image] : files) {
    INFO(name);
    REQUIRE(cv::imwrite((dir / name).string(), image));
    const cv::Mat expected = cv::imread((dir / name).string(), cv::IMREAD_UNCHANGED);
    CHECK(identical(assay::drivers::read_image(dir / name), expected));
  }
  // A 1-bit PNG (IMWRITE_PNG_BILEVEL) is expanded to 8-bit grey, 0 or 255.
  cv::Mat mask = random_image(CV_8U, 1, 3);
  cv::threshold(mask, mask, 127, 255, cv::THRESH_BINARY);
  const auto bilevel = cv_encode(".png", mask, {cv::IMWRITE_PNG_BILEVEL, 1});
  CHECK(identical(decode_image(bilevel), cv::imdecode(bilevel, cv::IMREAD_UNCHANGED)));
  CHECK(identical(decode_image(bilevel), mask));
  fs::remove_all(dir);
}

TEST_CASE("TIFF files written by OpenCV decode exactly as cv::imread reads them") {
  for (int depth : {CV_8U, CV_16U}) {
    for (int channels : {1, 3, 4}) {
      INFO("depth " << depth << ", " << channels << " channels");
      const cv::Mat image = random_image(depth, channels, 3 * channels + depth, 301, 203);
      const std::vector<unsigned char> tiff = cv_encode(".tiff", image);
      const cv::Mat decoded = decode_image(tiff);
      CHECK(identical(decoded, cv::imdecode(tiff, cv::IMREAD_UNCHANGED)));
      CHECK(identical(decoded, image));
    }
  }
}

TEST_CASE("grey TIFF in either byte order keeps every sample of 8 and 16 bits") {
  for (bool big_endian : {false, true}) {
    for (int depth : {CV_8U, CV_16U}) {
      INFO((big_endian ? "big" : "little") << "-endian, depth " << depth);
      const cv::Mat image = random_image(depth, 1, depth + big_endian, 53, 29);
      const std::vector<unsigned char> tiff = grey_tiff(image, big_endian);
      CHECK(identical(decode_image(tiff), image));
      CHECK(identical(decode_image(tiff), cv::imdecode(tiff, cv::IMREAD_UNCHANGED)));
      // The directory is intact but the strip it points to runs past the end.
      CHECK(decode_error({tiff.begin(), tiff.begin() + static_cast<long>(tiff.size() * 0.6)}) == "TIFF data is truncated");
    }
  }
}

TEST_CASE("cut-off PNG, JPEG and TIFF files are reported as truncated") {
  const cv::Mat image = photo_like(3);
  const std::pair<const char*, std::vector<unsigned char>> formats[] = {
      {"PNG", encode_png(image)}, {"JPEG", encode_jpeg(image, 90)}, {"TIFF", cv_encode(".tiff", image)}};
  for (const auto& [format, bytes] : formats) {
    for (double kept : {0.05, 0.5, 0.9}) {
      INFO(format << " cut to " << kept);
      const std::vector<unsigned char> cut(bytes.begin(), bytes.begin() + static_cast<long>(bytes.size() * kept));
      CHECK(decode_error(cut) == std::string(format) + " data is truncated");
    }
  }
  // The last bytes only: a PNG without its IEND chunk, a JPEG without its end-of-image marker.
  const std::vector<unsigned char> png = encode_png(image), jpeg = encode_jpeg(image, 90);
  CHECK(decode_error({png.begin(), png.end() - 12}) == "PNG data is truncated");
  CHECK(decode_error({jpeg.begin(), jpeg.end() - 2}) == "JPEG data is truncated");
}

TEST_CASE("garbage and damaged files are refused with a message naming the problem") {
  CHECK(decode_error({}) == "image data is empty (0 bytes)");
  CHECK(decode_error({'h', 'e', 'l', 'l', 'o', ' ', 'w', 'o', 'r', 'l', 'd'}) == "not a PNG, JPEG or TIFF image");
  const cv::Mat image = photo_like(3);
  std::vector<unsigned char> png = encode_png(image);
  png[png.size() / 2] ^= 0x5A;  // inside IDAT: the chunk's CRC no longer matches
  CHECK(decode_error(png).rfind("PNG data is corrupt (", 0) == 0);
  std::vector<unsigned char> jpeg = encode_jpeg(image, 90);
  jpeg[start_of_frame(jpeg) + 4] = 13;  // 13-bit samples: no such JPEG
  CHECK(decode_error(jpeg) == "JPEG data is corrupt (Unsupported JPEG data precision 13)");
  std::vector<unsigned char> tiff = cv_encode(".tiff", image);
  tiff[4] = tiff[5] = tiff[6] = tiff[7] = 0xFF;  // first directory far past the end
  CHECK(decode_error(tiff).rfind("TIFF data ", 0) == 0);
}

TEST_CASE("a small file declaring a huge image is refused before memory is taken") {
  // A JPEG whose frame header (SOF0) claims 65000 x 65000 pixels: 12 GB decoded.
  std::vector<unsigned char> jpeg = encode_jpeg(photo_like(3), 90);
  const std::size_t sof = start_of_frame(jpeg);
  for (std::size_t at : {sof + 5, sof + 7}) {  // height, then width, big-endian
    jpeg[at] = 65000 >> 8;
    jpeg[at + 1] = 65000 & 0xFF;
  }
  CHECK(decode_error(jpeg).rfind("JPEG image of 65000x65000 pixels is too large", 0) == 0);
}

TEST_CASE("write_image picks the format by extension and names the path when it cannot write") {
  const fs::path dir = scratch_dir();
  const cv::Mat image = photo_like(3);
  assay::drivers::write_image(dir / "a.png", image);
  CHECK(identical(cv::imread((dir / "a.png").string(), cv::IMREAD_UNCHANGED), image));
  assay::drivers::write_image(dir / "b.JPG", image, 80);
  CHECK(file_bytes(dir / "b.JPG") == encode_jpeg(image, 80));
  CHECK_THROWS_WITH(assay::drivers::write_image(dir / "c.bmp", image),
                    Catch::Contains("c.bmp") && Catch::Contains("extension '.bmp'"));
  CHECK_THROWS_WITH(assay::drivers::write_image(dir / "missing" / "d.png", image),
                    Catch::Contains((dir / "missing" / "d.png").string()));
  CHECK_THROWS_WITH(assay::drivers::write_image(dir / "e.jpg", random_image(CV_16U, 1, 1)),
                    Catch::Contains("e.jpg") && Catch::Contains("8-bit"));
  CHECK_THROWS_AS(encode_png(cv::Mat(4, 4, CV_8UC2)), ImageFileError);
  CHECK_THROWS_AS(encode_png(cv::Mat(4, 4, CV_32FC1)), ImageFileError);
  CHECK_THROWS_AS(encode_jpeg(image, 101), ImageFileError);
  CHECK_THROWS_WITH(assay::drivers::read_image(dir / "none.png"), Catch::Contains("none.png"));
  fs::remove_all(dir);
}

TEST_CASE("real plate and cell photographs decode exactly as cv::imread reads them") {
  int files = 0;
  for (const char* set : {"opencfu_hd", "opencfu_webcam", "dsb2018_stained"}) {
    const fs::path dir = fs::path(ASSAY_SHARED_DIR) / "data" / "realsets" / set;
    REQUIRE(fs::is_directory(dir));
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string ext = entry.path().extension().string();
      if (ext != ".png" && ext != ".jpg" && ext != ".tif" && ext != ".tiff") continue;
      INFO(entry.path());
      CHECK(identical(assay::drivers::read_image(entry.path()),
                      cv::imread(entry.path().string(), cv::IMREAD_UNCHANGED)));
      ++files;
    }
  }
  CHECK(files >= 70);
}

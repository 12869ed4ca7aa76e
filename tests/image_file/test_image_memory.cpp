// Large images in their own 2 MiB-aligned mappings (use_huge_page_images), and whole-file reads.
#include <catch2/catch.hpp>

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/imgproc.hpp>

#include "assay/drivers/image_file.hpp"
#include "assay/drivers/image_memory.hpp"

namespace fs = std::filesystem;
using assay::drivers::kLargeImageBytes;

namespace {

bool huge_page_aligned(const void* p) { return reinterpret_cast<std::uintptr_t>(p) % (std::size_t{2} << 20) == 0; }

// Whether the page at `p` is mapped in this process (mincore fails with ENOMEM on a hole).
bool mapped(const void* p) {
  const long page = sysconf(_SC_PAGESIZE);
  auto* start = reinterpret_cast<void*>(reinterpret_cast<std::uintptr_t>(p) / page * page);
  unsigned char resident = 0;
  return mincore(start, static_cast<std::size_t>(page), &resident) == 0 || errno != ENOMEM;
}

}  // namespace

TEST_CASE("large images get their own aligned mapping, given back when the last reference goes") {
  assay::drivers::use_huge_page_images();
  const void* data = nullptr;
  {
    cv::Mat image(2448, 2448, CV_32F);
    REQUIRE(image.total() * image.elemSize() >= kLargeImageBytes);
    CHECK(image.u->currAllocator != cv::Mat::getStdAllocator());
    CHECK(huge_page_aligned(image.data));
    CHECK(image.isContinuous());
    CHECK(image.step[0] == 2448 * sizeof(float));
    data = image.data;
    CHECK(mapped(data));
    const cv::Mat view = image(cv::Rect(100, 100, 50, 50));  // a view keeps the mapping alive
    image.release();
    CHECK(mapped(data));
  }
  CHECK_FALSE(mapped(data));
}

TEST_CASE("small images and images over a caller's memory keep OpenCV's own allocator") {
  assay::drivers::use_huge_page_images();
  cv::Mat small(100, 100, CV_8UC3);
  CHECK(small.u->currAllocator == cv::Mat::getStdAllocator());
  std::vector<float> own(1024 * 1024);
  cv::Mat over(1024, 1024, CV_32F, own.data());
  CHECK(over.data == reinterpret_cast<unsigned char*>(own.data()));
  cv::Mat copy = over.clone();  // 4 MiB: a copy takes a mapping of its own
  CHECK(copy.u->currAllocator != cv::Mat::getStdAllocator());
}

TEST_CASE("OpenCV computes the same on images in the large-image mappings") {
  assay::drivers::use_huge_page_images();
  cv::Mat plate(1536, 1538, CV_8UC3);
  cv::randu(plate, 0, 256);
  cv::Mat grey, blurred, expected_grey;
  cv::cvtColor(plate, grey, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(grey, blurred, cv::Size(0, 0), 3.0);
  // The same steps on buffers the test owns (std::vector memory, never the allocator's).
  std::vector<unsigned char> grey_memory(grey.total()), blurred_memory(grey.total());
  cv::Mat own_grey(grey.size(), CV_8U, grey_memory.data()), own_blurred(grey.size(), CV_8U, blurred_memory.data());
  cv::cvtColor(plate, own_grey, cv::COLOR_BGR2GRAY);
  cv::GaussianBlur(own_grey, own_blurred, cv::Size(0, 0), 3.0);
  CHECK(cv::norm(grey, own_grey, cv::NORM_INF) == 0);
  CHECK(cv::norm(blurred, own_blurred, cv::NORM_INF) == 0);
  const int sizes[] = {4, 512, 512};
  cv::Mat cube(3, sizes, CV_32F, cv::Scalar(2.5f));
  CHECK(cube.isContinuous());
  CHECK(cv::sum(cube)[0] == Approx(2.5 * 4 * 512 * 512));
}

TEST_CASE("images made and released on many threads at once") {
  assay::drivers::use_huge_page_images();
  std::vector<std::thread> threads;
  std::vector<double> sums(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([t, &sums] {
      double sum = 0;
      for (int i = 0; i < 20; ++i) {
        cv::Mat image(1024, 1024 + t, CV_32F, cv::Scalar(1.0f));
        sum += cv::sum(image)[0];
      }
      sums[static_cast<std::size_t>(t)] = sum;
    });
  }
  for (auto& thread : threads) thread.join();
  for (int t = 0; t < 4; ++t) CHECK(sums[static_cast<std::size_t>(t)] == Approx(20.0 * 1024 * (1024 + t)));
}

TEST_CASE("a whole file is read from a regular file and from a pipe, a missing one is named") {
  const fs::path dir = fs::temp_directory_path() / ("assay_read_bytes_" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::string content(300000, '\0');
  for (std::size_t i = 0; i < content.size(); ++i) content[i] = static_cast<char>(i * 131 % 251);
  std::ofstream(dir / "plate.bin", std::ios::binary) << content;
  const std::vector<unsigned char> bytes = assay::drivers::read_file_bytes(dir / "plate.bin");
  CHECK(std::string(bytes.begin(), bytes.end()) == content);

  const fs::path fifo = dir / "camera.pipe";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] { std::ofstream(fifo, std::ios::binary) << content; });
  const std::vector<unsigned char> piped = assay::drivers::read_file_bytes(fifo);
  writer.join();
  CHECK(std::string(piped.begin(), piped.end()) == content);

  CHECK_THROWS_WITH(assay::drivers::read_file_bytes(dir / "missing.png"),
                    Catch::Contains("missing.png") && Catch::Contains("No such file"));
  fs::remove_all(dir);
}

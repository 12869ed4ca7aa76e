#include "camera_finish.hpp"

#include <vector>

#include <opencv2/imgcodecs.hpp>

namespace assay::drivers::sim {

cv::Mat finish_camera_image(cv::Mat light, double noise_sigma, std::uint64_t noise_seed, int jpeg_quality) {
  if (noise_sigma > 0) {
    cv::Mat noise(light.size(), CV_32FC3);
    cv::RNG rng(noise_seed);
    rng.fill(noise, cv::RNG::NORMAL, 0.0, noise_sigma);
    light += noise;
  }
  cv::Mat image;
  light.convertTo(image, CV_8UC3);
  if (jpeg_quality > 0) {
    std::vector<unsigned char> buffer;
    cv::imencode(".jpg", image, buffer, {cv::IMWRITE_JPEG_QUALITY, jpeg_quality});
    image = cv::imdecode(buffer, cv::IMREAD_COLOR);
  }
  return image;
}

}  // namespace assay::drivers::sim

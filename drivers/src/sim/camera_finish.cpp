#include "camera_finish.hpp"

#include "assay/drivers/image_file.hpp"

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
    image = decode_image(encode_jpeg(image, jpeg_quality));
  }
  return image;
}

}  // namespace assay::drivers::sim

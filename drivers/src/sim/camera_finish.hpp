// The last step of every simulated picture, as a camera would deliver it: sensor noise on the
// light image, 8-bit quantisation, and optionally JPEG compression.
#pragma once

#include <cstdint>

#include <opencv2/core.hpp>

namespace assay::drivers::sim {

// `light` is CV_32FC3 in 8-bit units; noise of `noise_sigma` (0 = none) from `noise_seed`;
// `jpeg_quality` 0 = lossless. Returns CV_8UC3.
cv::Mat finish_camera_image(cv::Mat light, double noise_sigma, std::uint64_t noise_seed, int jpeg_quality);

}  // namespace assay::drivers::sim

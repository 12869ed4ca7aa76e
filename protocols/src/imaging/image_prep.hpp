// Input normalisation shared by the counters: any readable image becomes 8-bit BGR.
//
// Grey images are expanded to BGR (colour tests then see R = G = B), 16-bit images are scaled
// by their own range, 4-channel images drop alpha. Empty images throw std::invalid_argument.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include <opencv2/core.hpp>

namespace assay::protocols::imaging {

// Returns 8-bit BGR; appends notes such as "16-bit input scaled to 8 bits" to `notes`.
cv::Mat to_bgr8(const cv::Mat& image, std::vector<std::string>& notes);
// A filled disk structuring element of the given radius (radius 0 -> 1x1).
cv::Mat disk_kernel(int radius_px);
// Robust noise sigma of a float image inside mask (median absolute deviation of a
// high-pass version; 1.4826 MAD).
double robust_noise_sigma(const cv::Mat& image_f32, const cv::Mat& mask);

}  // namespace assay::protocols::imaging

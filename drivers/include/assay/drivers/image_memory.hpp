// Where large images live: their own 2 MiB-aligned mappings that the kernel may back with huge
// pages, given back to the system the moment the image is released.
//
// A 2448x2448 plate photo passes through a dozen full-size float and byte images. Through
// malloc each is a fresh mmap of 4 KiB pages, so a count spent a third of its time taking page
// faults; with transparent huge pages one fault maps 2 MiB. Images below kLargeImageBytes and
// images over memory a caller owns are left to OpenCV's own allocator.
//
// use_huge_page_images() installs the allocator for the whole process (cv::Mat's default); call
// it once at the start of main(), before any image exists. Thread-safe afterwards: the allocator
// keeps no state between calls.
#pragma once

#include <cstddef>

namespace assay::drivers {

inline constexpr std::size_t kLargeImageBytes = std::size_t{1} << 20;

void use_huge_page_images();

}  // namespace assay::drivers

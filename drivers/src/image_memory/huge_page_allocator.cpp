// The cv::MatAllocator behind use_huge_page_images(): large images in their own aligned mapping.
#include <sys/mman.h>

#include <cstdint>
#include <new>

#include <opencv2/core/mat.hpp>

#include "assay/drivers/image_memory.hpp"

namespace assay::drivers {

namespace {

constexpr std::size_t kHugePageBytes = std::size_t{2} << 20;

std::size_t round_up(std::size_t bytes, std::size_t step) { return (bytes + step - 1) / step * step; }

// A mapping of `bytes` whose start is 2 MiB-aligned, so that the kernel can use huge pages from
// its first byte; the slack before and after the aligned part is unmapped again at once.
void* map_aligned(std::size_t bytes) {
  const std::size_t span = bytes + kHugePageBytes;
  void* raw = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (raw == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(raw);
  const std::uintptr_t aligned = round_up(start, kHugePageBytes);
  if (aligned > start) munmap(raw, aligned - start);
  const std::size_t tail = start + span - (aligned + bytes);
  if (tail > 0) munmap(reinterpret_cast<void*>(aligned + bytes), tail);
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

class HugePageImageAllocator final : public cv::MatAllocator {
 public:
  explicit HugePageImageAllocator(const cv::MatAllocator* fallback) : fallback_(fallback) {}

  cv::UMatData* allocate(int dims, const int* sizes, int type, void* data, size_t* step,
                         cv::AccessFlag flags, cv::UMatUsageFlags usage) const override {
    const std::size_t bytes = continuous_bytes(dims, sizes, type);
    if (data != nullptr || bytes < kLargeImageBytes) {
      return fallback_->allocate(dims, sizes, type, data, step, flags, usage);
    }
    const std::size_t mapped = round_up(bytes, kHugePageBytes);
    void* memory = map_aligned(mapped);
    if (memory == nullptr) throw std::bad_alloc();
    std::size_t row = CV_ELEM_SIZE(type);
    for (int i = dims - 1; i >= 0; --i) {
      step[i] = row;
      row *= static_cast<std::size_t>(sizes[i]);
    }
    auto* u = new cv::UMatData(this);
    u->data = u->origdata = static_cast<uchar*>(memory);
    u->size = mapped;
    return u;
  }

  // Host memory needs no further step before use (this is the OpenCL hook of the interface).
  bool allocate(cv::UMatData* u, cv::AccessFlag, cv::UMatUsageFlags) const override { return u != nullptr; }

  void deallocate(cv::UMatData* u) const override {
    if (u == nullptr) return;
    CV_Assert(u->urefcount == 0 && u->refcount == 0);
    if (!(u->flags & cv::UMatData::USER_ALLOCATED)) munmap(u->origdata, u->size);
    delete u;
  }

 private:
  static std::size_t continuous_bytes(int dims, const int* sizes, int type) {
    std::size_t bytes = CV_ELEM_SIZE(type);
    for (int i = 0; i < dims; ++i) bytes *= static_cast<std::size_t>(sizes[i]);
    return bytes;
  }

  const cv::MatAllocator* fallback_;
};

}  // namespace

void use_huge_page_images() {
  // Lives as long as the process: images may be released during static destruction.
  static const HugePageImageAllocator allocator(cv::Mat::getStdAllocator());
  cv::Mat::setDefaultAllocator(const_cast<HugePageImageAllocator*>(&allocator));
}

}  // namespace assay::drivers

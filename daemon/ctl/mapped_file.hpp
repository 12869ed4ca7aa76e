// A file mapped read-only into memory and unmapped with the object (RAII): a large table is then
// split in place, without copying it into a buffer first.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace assay::ctl {

class MappedFile final {
 public:
  // Throws std::system_error naming `path` when it cannot be opened. A file that is not a regular
  // file (a pipe, a device) is not mapped: mapped() is false, and it is to be read as a stream.
  explicit MappedFile(const std::string& path);
  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  bool mapped() const { return mapped_; }
  std::string_view text() const { return {static_cast<const char*>(data_), size_}; }

 private:
  void* data_ = nullptr;
  std::size_t size_ = 0;
  bool mapped_ = false;
};

}  // namespace assay::ctl

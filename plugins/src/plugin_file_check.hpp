// Ownership and permission checks on a plugin file and its directory, before it is loaded.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

#include "assay/drivers/unique_fd.hpp"

namespace assay::plugins {

// An open, checked plugin file. It is loaded by its real path (dlopen identifies libraries by
// name, so a /proc/self/fd path would alias earlier loads); the loader then checks that the
// device and inode it loaded are the ones checked here. Swapping the file in between needs write
// access to a directory that was just checked not to be writable by anyone but its trusted owner.
class CheckedPluginFile {
 public:
  CheckedPluginFile(drivers::UniqueFd fd, dev_t device, ino_t inode)
      : fd_(std::move(fd)), device_(device), inode_(inode) {}

  const std::filesystem::path& real_path() const { return real_path_; }
  void set_real_path(std::filesystem::path path) { real_path_ = std::move(path); }
  dev_t device() const { return device_; }
  ino_t inode() const { return inode_; }

 private:
  drivers::UniqueFd fd_;  // held open so the checked inode stays the one loaded
  dev_t device_ = 0;
  ino_t inode_ = 0;
  std::filesystem::path real_path_;
};

struct FileCheckResult {
  std::optional<CheckedPluginFile> file;
  std::string refusal;  // set when file is empty: what is wrong and how to fix it
};

// Opens `file` (following symlinks) and checks the file and both the directory that really holds
// it and the configured directory: regular file / directory, not writable by group or others,
// owned by root or one of `trusted_owners`. `check_permissions` false skips the mode and owner
// checks (tests of the ABI checks only).
FileCheckResult open_checked_plugin(const std::filesystem::path& file,
                                    const std::filesystem::path& configured_dir,
                                    const std::vector<uid_t>& trusted_owners,
                                    bool check_permissions);

}  // namespace assay::plugins

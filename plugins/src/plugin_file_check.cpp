#include "plugin_file_check.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace assay::plugins {
namespace {

std::string octal_mode(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode & 07777));
  return text;
}

// Empty when `st` is acceptable; otherwise what is wrong with `path` and how to fix it.
std::string check_stat(const struct stat& st, const std::filesystem::path& path, bool is_dir,
                       const std::vector<uid_t>& trusted_owners) {
  std::string what = std::string(is_dir ? "directory" : "file") + " '" + path.string() + "'";
  if (is_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    return what + " is not a " + (is_dir ? "directory" : "regular file");
  }
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    return what + " is writable by " + ((st.st_mode & S_IWOTH) != 0 ? "others" : "its group") +
           " (mode " + octal_mode(st.st_mode) +
           "), so anyone who can write it could run code inside the daemon; fix with: chmod go-w '" +
           path.string() + "'";
  }
  bool trusted = st.st_uid == 0 || std::find(trusted_owners.begin(), trusted_owners.end(),
                                             st.st_uid) != trusted_owners.end();
  if (!trusted) {
    return what + " is owned by uid " + std::to_string(st.st_uid) +
           ", neither root nor the daemon's user; chown it to root or to the daemon's user";
  }
  return {};
}

std::string check_directory(const std::filesystem::path& dir,
                            const std::vector<uid_t>& trusted_owners) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) {
    return "cannot stat directory '" + dir.string() + "': " + std::strerror(errno);
  }
  return check_stat(st, dir, true, trusted_owners);
}

}  // namespace

FileCheckResult open_checked_plugin(const std::filesystem::path& file,
                                    const std::filesystem::path& configured_dir,
                                    const std::vector<uid_t>& trusted_owners,
                                    bool check_permissions) {
  FileCheckResult result;
  drivers::UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) {
    result.refusal = "cannot open: " + std::string(std::strerror(errno));
    return result;
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    result.refusal = "cannot stat: " + std::string(std::strerror(errno));
    return result;
  }
  CheckedPluginFile opened(std::move(fd), st.st_dev, st.st_ino);
  if (!S_ISREG(st.st_mode)) {
    result.refusal = "'" + file.string() + "' is not a regular file";
    return result;
  }
  std::error_code ec;
  auto real = std::filesystem::canonical(file, ec);
  if (ec) {
    result.refusal = "cannot resolve the real path of '" + file.string() + "': " + ec.message();
    return result;
  }
  opened.set_real_path(real);
  if (check_permissions) {
    std::string problem = check_stat(st, file, false, trusted_owners);
    if (problem.empty()) problem = check_directory(real.parent_path(), trusted_owners);
    if (problem.empty()) problem = check_directory(configured_dir, trusted_owners);
    if (!problem.empty()) {
      result.refusal = problem;
      return result;
    }
  }
  result.file.emplace(std::move(opened));
  return result;
}

}  // namespace assay::plugins

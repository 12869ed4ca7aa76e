// Access to the CLARIOstar reference fixtures in ASSAY_SHARED_DIR/instruments (read-only).
#pragma once

#include <algorithm>
#include <filesystem>
#include <map>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "assay/drivers/clariostar/frame.hpp"

namespace assay_test {

inline std::filesystem::path clariostar_fixture(const std::string& relative) {
  return std::filesystem::path(ASSAY_SHARED_DIR) / "instruments" / "clariostar-fixtures" / relative;
}

inline std::vector<std::uint8_t> read_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open fixture " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline nlohmann::json read_json(const std::filesystem::path& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open fixture " + path.string());
  return nlohmann::json::parse(in);
}

inline std::vector<std::filesystem::path> fixtures_in(const std::string& folder, const std::string& suffix) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::directory_iterator(clariostar_fixture(folder))) {
    const std::string name = entry.path().filename().string();
    if (name.size() >= suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace assay_test

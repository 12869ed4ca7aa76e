#include "web_files.hpp"

#include <algorithm>
#include <cctype>
#include <map>

namespace assay::daemon {
namespace {

namespace fs = std::filesystem;

bool is_job_id(const std::string& text) {
  return !text.empty() && text.size() <= 64 && std::all_of(text.begin(), text.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '_' || c == '-';
  });
}

bool inside(const fs::path& folder, const fs::path& file) {
  auto f = folder.begin();
  auto p = file.begin();
  for (; f != folder.end(); ++f, ++p) {
    if (p == file.end() || *f != *p) return false;
  }
  return p != file.end();
}

}  // namespace

JobFileLookup find_job_file(const fs::path& state_dir, const std::string& job_id,
                            const std::vector<std::string>& name_parts) {
  if (!is_job_id(job_id)) {
    return {400, "'" + job_id + "' is not a job id (letters, digits, '_' and '-')", {}};
  }
  if (name_parts.empty()) return {400, "name a file: /files/" + job_id + "/<name>", {}};
  fs::path relative;
  for (const auto& part : name_parts) {
    if (part.empty() || part == "." || part == ".." || part.find_first_of("/\\") != std::string::npos) {
      return {400, "a file name may not hold empty, '.' or '..' parts or backslashes: files are served "
                   "from inside the job's folder only", {}};
    }
    relative /= part;
  }
  std::error_code error;
  const auto folder = fs::canonical(state_dir / "jobs" / job_id, error);
  if (error) return {404, "job " + job_id + " has no files", {}};
  const auto file = fs::canonical(folder / relative, error);
  if (error || !fs::is_regular_file(file, error)) {
    return {404, "job " + job_id + " has no file '" + relative.string() + "'", {}};
  }
  if (!inside(folder, file)) {
    return {403, "'" + relative.string() + "' leads outside job " + job_id + "'s folder", {}};
  }
  return {200, {}, file};
}

std::string content_type_for(const fs::path& file) {
  static const std::map<std::string, std::string> types{
      {".png", "image/png"},  {".jpg", "image/jpeg"},   {".jpeg", "image/jpeg"},
      {".tif", "image/tiff"}, {".tiff", "image/tiff"},  {".svg", "image/svg+xml"},
      {".csv", "text/csv; charset=utf-8"}, {".json", "application/json"},
      {".txt", "text/plain; charset=utf-8"}, {".pdf", "application/pdf"}};
  auto extension = file.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  auto found = types.find(extension);
  return found == types.end() ? "application/octet-stream" : found->second;
}

}  // namespace assay::daemon

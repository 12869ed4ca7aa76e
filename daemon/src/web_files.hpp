// GET /files/<job>/<name>: a file of one job's folder (STATE_DIR/jobs/<job>/), and nothing else.
//
// The name may hold sub-folders but no "", "." or ".." part; the file found is resolved with
// every symlink followed and must still lie inside the job's folder. Plain functions.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace assay::daemon {

struct JobFileLookup {
  unsigned status = 200;  // 200, 400 (a name that leaves the folder), 403 (a link out), 404
  std::string message;    // why, when status is not 200
  std::filesystem::path file;
};

JobFileLookup find_job_file(const std::filesystem::path& state_dir, const std::string& job_id,
                            const std::vector<std::string>& name_parts);

// The Content-Type for a file name's extension (images, figures, tables); octet-stream otherwise.
std::string content_type_for(const std::filesystem::path& file);

}  // namespace assay::daemon

// The bearer token of the dashboard's submit and cancel routes ([web] token_file, docs/web.md).
#pragma once

#include <filesystem>
#include <string>

namespace assay::daemon {

// The file's first line, surrounding white space removed; at least 16 characters; the file may
// not be readable by other users. "credential:NAME" names a systemd credential. Throws
// std::runtime_error naming the file and what to fix.
std::string read_web_token(const std::filesystem::path& token_file);

}  // namespace assay::daemon

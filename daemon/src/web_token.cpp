#include "web_token.hpp"

#include <sys/stat.h>

#include <fstream>
#include <stdexcept>

#include "curve_auth.hpp"

namespace assay::daemon {

std::string read_web_token(const std::filesystem::path& token_file) {
  std::filesystem::path file;
  try {
    file = resolve_key_path(token_file);
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("web.token_file: ") + e.what());
  }
  struct stat info {};
  if (::stat(file.c_str(), &info) != 0) {
    throw std::runtime_error("web.token_file: cannot read " + file.string() + "; create it with a random "
                             "token, e.g. `head -c 24 /dev/urandom | base64 > FILE; chmod 600 FILE`");
  }
  if (info.st_mode & S_IROTH) {
    throw std::runtime_error("web.token_file: " + file.string() + " is readable by every user; `chmod 600` it");
  }
  std::ifstream in(file);
  std::string line;
  std::getline(in, line);
  const auto first = line.find_first_not_of(" \t\r");
  const auto last = line.find_last_not_of(" \t\r");
  line = first == std::string::npos ? std::string{} : line.substr(first, last - first + 1);
  if (line.size() < 16) {
    throw std::runtime_error("web.token_file: " + file.string() + " holds a token of " + std::to_string(line.size()) +
                             " characters; use at least 16 random ones");
  }
  return line;
}

}  // namespace assay::daemon

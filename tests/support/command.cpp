#include "support/command.hpp"

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>

namespace assay::testing {

CommandOutput run_command(const std::string& command) {
  CommandOutput result;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run: " + command);
  char buffer[4096];
  while (std::size_t n = fread(buffer, 1, sizeof buffer, pipe)) result.out.append(buffer, n);
  const int status = pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

CommandOutput run_assayctl(const std::string& args, bool with_stderr) {
  return run_command(std::string(ASSAY_BIN_DIR) + "/assayctl " + args + (with_stderr ? " 2>&1" : " 2>/dev/null"));
}

}  // namespace assay::testing

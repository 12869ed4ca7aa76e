// Runs a shell command for tests of the command-line tools and collects what it prints.
#pragma once

#include <string>

namespace assay::testing {

struct CommandOutput {
  int exit_code = -1;  // -1 when the command did not exit normally
  std::string out;
};

// `command` runs under /bin/sh; redirect stderr in it (2>&1, 2>/dev/null) as the test needs.
CommandOutput run_command(const std::string& command);

// The built assayctl with `args`; stderr joins stdout unless `with_stderr` is false.
CommandOutput run_assayctl(const std::string& args, bool with_stderr = true);

}  // namespace assay::testing

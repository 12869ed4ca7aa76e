#include "cli_main.hpp"

#include <malloc.h>

#include "commands.hpp"

namespace assay::ctl {

void exit_with(int code) { throw CLI::RuntimeError(code); }

void tune_malloc_for_short_run() {
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
}

int parse_and_run(CLI::App& app, int argc, char** argv) {
  app.require_subcommand(1);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return (code != 0 && dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr) ? kExitUsage : code;
  }
  return 0;
}

}  // namespace assay::ctl

// assayctl: the command-line client of assayd, and the offline analysis tool.
#include <malloc.h>

#include <iostream>

#include "assay/drivers/image_memory.hpp"
#include "commands.hpp"

namespace assay::ctl {
void exit_with(int code) { throw CLI::RuntimeError(code); }
}  // namespace assay::ctl

int main(int argc, char** argv) {
  using namespace assay::ctl;
  assay::drivers::use_huge_page_images();
  // A short-lived process: buffers up to 32 MiB come from the heap and stay there for reuse
  // instead of being mapped and faulted in afresh each time (the exit gives everything back).
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  CLI::App app{"assayctl: client of assayd and offline assay analysis"};
  app.require_subcommand(1);
  ClientOptions options;
  add_client_commands(app, options);
  add_report_command(app, options);
  add_fit_command(app);
  add_count_command(app);
  add_analyze_command(app);
  add_keygen_command(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return (code != 0 && dynamic_cast<const CLI::RuntimeError*>(&e) == nullptr) ? kExitUsage : code;
  }
  return 0;
}

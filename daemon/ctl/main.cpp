// assayctl-full: the command-line client of assayd and the offline analysis tool, every command.
// Users run it as `assayctl`, whose front (ctl/front/main.cpp) hands it all but `fit`.
#include "assay/drivers/image_memory.hpp"
#include "cli_main.hpp"
#include "commands.hpp"

int main(int argc, char** argv) {
  using namespace assay::ctl;
  assay::drivers::use_huge_page_images();
  tune_malloc_for_short_run();
  CLI::App app{"assayctl: client of assayd and offline assay analysis"};
  ClientOptions options;
  add_client_commands(app, options);
  add_report_command(app, options);
  add_fit_command(app);
  add_count_command(app);
  add_analyze_command(app);
  add_keygen_command(app);
  return parse_and_run(app, argc, argv);
}

#include "commands.hpp"

namespace assay::ctl {

void add_analyze_command(CLI::App& app) {
  auto* analyze = app.add_subcommand("analyze", "re-analyse stored or exported readings offline");
  analyze->require_subcommand(1);
  add_analyze_calcium_flux(*analyze);
  add_analyze_chemotaxis(*analyze);
}

}  // namespace assay::ctl

// Placeholder until `assayctl fit` lands in this file.
#include "commands.hpp"

namespace assay::ctl {
void add_fit_command(CLI::App&) {}
}  // namespace assay::ctl

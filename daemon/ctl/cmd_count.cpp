// Placeholder until `assayctl count` lands in this file.
#include "commands.hpp"

namespace assay::ctl {
void add_count_command(CLI::App&) {}
}  // namespace assay::ctl

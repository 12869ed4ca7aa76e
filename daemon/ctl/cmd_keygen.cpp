// Placeholder until `assayctl keygen` lands in this file.
#include "commands.hpp"

namespace assay::ctl {
void add_keygen_command(CLI::App&) {}
}  // namespace assay::ctl

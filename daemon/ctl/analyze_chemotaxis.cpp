// Placeholder until `assayctl analyze chemotaxis` lands in this file.
#include "commands.hpp"

namespace assay::ctl {
void add_analyze_chemotaxis(CLI::App&) {}
}  // namespace assay::ctl

// Placeholder until `assayctl analyze calcium_flux` lands in this file.
#include "commands.hpp"

namespace assay::ctl {
void add_analyze_calcium_flux(CLI::App&) {}
}  // namespace assay::ctl

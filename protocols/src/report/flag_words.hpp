// What each flag of a result means, in words a scientist acts on.
#pragma once

#include <string>

namespace assay::protocols::report {

// The explanation of a flag ("saturated", or "balixafortide: ic50_extrapolated" with the part
// after ": "); a flag without one (e.g. a plugin's) gets a sentence saying so.
std::string explain_flag(const std::string& flag);

}  // namespace assay::protocols::report

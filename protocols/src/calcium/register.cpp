// Placeholder registration until the calcium_flux protocol lands in this folder.
#include "builtin_protocols.hpp"

namespace assay::protocols {
void register_calcium_flux(ProtocolRegistry&) {}
}  // namespace assay::protocols

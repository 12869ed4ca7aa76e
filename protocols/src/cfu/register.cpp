// Placeholder registration until the cfu protocol lands in this folder.
#include "builtin_protocols.hpp"

namespace assay::protocols {
void register_cfu(ProtocolRegistry&) {}
}  // namespace assay::protocols

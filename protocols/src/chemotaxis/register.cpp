// Placeholder registration until the chemotaxis protocol lands in this folder.
#include "builtin_protocols.hpp"

namespace assay::protocols {
void register_chemotaxis(ProtocolRegistry&) {}
}  // namespace assay::protocols

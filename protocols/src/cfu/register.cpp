// Registers the built-in `cfu` protocol.
#include <memory>

#include "assay/protocols/cfu/protocol.hpp"
#include "builtin_protocols.hpp"

namespace assay::protocols {
void register_cfu(ProtocolRegistry& registry) { registry.add(std::make_shared<cfu::CfuProtocol>()); }
}  // namespace assay::protocols

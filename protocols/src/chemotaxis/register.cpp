// Registers the built-in `chemotaxis` protocol.
#include <memory>

#include "assay/protocols/chemotaxis/protocol.hpp"
#include "builtin_protocols.hpp"

namespace assay::protocols {
void register_chemotaxis(ProtocolRegistry& registry) {
  registry.add(std::make_shared<chemotaxis::ChemotaxisProtocol>());
}
}  // namespace assay::protocols

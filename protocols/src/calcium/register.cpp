// Registers the built-in `calcium_flux` protocol.
#include <memory>

#include "assay/protocols/calcium/protocol.hpp"
#include "builtin_protocols.hpp"

namespace assay::protocols {
void register_calcium_flux(ProtocolRegistry& registry) {
  registry.add(std::make_shared<calcium::CalciumFluxProtocol>());
}
}  // namespace assay::protocols

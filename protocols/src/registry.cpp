#include "assay/protocols/registry.hpp"

#include "builtin_protocols.hpp"

namespace assay::protocols {

bool ProtocolRegistry::add(std::shared_ptr<const Protocol> protocol) {
  auto name = protocol->name();
  return protocols_.emplace(std::move(name), std::move(protocol)).second;
}

const Protocol* ProtocolRegistry::find(const std::string& name) const {
  auto it = protocols_.find(name);
  return it == protocols_.end() ? nullptr : it->second.get();
}

void register_builtin_protocols(ProtocolRegistry& registry) {
  register_plate_read(registry);
  register_image_wells(registry);
  register_calcium_flux(registry);
  register_cfu(registry);
  register_chemotaxis(registry);
}

}  // namespace assay::protocols

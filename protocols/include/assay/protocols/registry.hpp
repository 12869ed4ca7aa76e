// Protocol registry: assay protocols by name ("calcium_flux", "cfu", "chemotaxis", ...).
// Built-ins register at start, plugins at load time; fill it before workers start.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "assay/protocols/protocol.hpp"

namespace assay::protocols {

class ProtocolRegistry {
 public:
  // Returns false when the name is taken (the caller logs and refuses the duplicate).
  bool add(std::shared_ptr<const Protocol> protocol);
  const Protocol* find(const std::string& name) const;
  const std::map<std::string, std::shared_ptr<const Protocol>>& all() const { return protocols_; }

 private:
  std::map<std::string, std::shared_ptr<const Protocol>> protocols_;
};

void register_builtin_protocols(ProtocolRegistry& registry);

}  // namespace assay::protocols

// Registration hooks of the protocols compiled into assay_protocols, one per assay.
#pragma once

#include "assay/protocols/registry.hpp"

namespace assay::protocols {

void register_plate_read(ProtocolRegistry& registry);     // raw absorbance / fluorescence reads
void register_image_wells(ProtocolRegistry& registry);    // raw multi-field imaging
void register_calcium_flux(ProtocolRegistry& registry);
void register_cfu(ProtocolRegistry& registry);
void register_chemotaxis(ProtocolRegistry& registry);

}  // namespace assay::protocols

// Entry point of the example plugin "viability": registers the viability_endpoint protocol.
#include <memory>

#include "assay/plugins/plugin_host.hpp"
#include "viability_protocol.hpp"

namespace {

int register_viability(const assay_plugin_host_api* host, char* error, size_t error_size) {
  return assay::plugins::register_guarded(host, error, error_size, [&] {
    assay::plugins::add_protocol(
        host, std::make_shared<assay::plugins::viability::ViabilityProtocol>());
    assay::plugins::log(host, ASSAY_PLUGIN_LOG_INFO, "viability_endpoint protocol registered");
  });
}

}  // namespace

ASSAY_PLUGIN_DEFINE("viability", "1.0.0",
                    "Cell viability endpoint (resazurin / MTT) with CC50, a cytotoxicity "
                    "counter-screen",
                    register_viability)

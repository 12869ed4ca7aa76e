// Test plugin that registers one driver, "test-null-reader", and then whatever driver names the
// environment variable ASSAY_TEST_PLUGIN_EXTRA_DRIVER gives (to provoke a duplicate). The driver
// factory refuses to build anything: it exists to test the driver path of the ABI.
#include <cstdlib>

#include "assay/plugins/plugin_host.hpp"

namespace {

assay::drivers::DriverInfo refusing_driver(const std::string& name) {
  return {name, assay::drivers::InstrumentKind::plate_reader,
          "test driver from a plugin; builds no instrument",
          [](const std::string& instrument, const nlohmann::json&)
              -> assay::drivers::Result<std::unique_ptr<assay::drivers::Instrument>> {
            return assay::drivers::Status{assay::drivers::StatusCode::unsupported,
                                          "instrument '" + instrument +
                                              "': test-null-reader builds no instrument"};
          }};
}

int register_drivers(const assay_plugin_host_api* host, char* error, size_t error_size) {
  return assay::plugins::register_guarded(host, error, error_size, [&] {
    assay::plugins::add_driver(host, refusing_driver("test-null-reader"));
    if (const char* extra = std::getenv("ASSAY_TEST_PLUGIN_EXTRA_DRIVER")) {
      assay::plugins::add_driver(host, refusing_driver(extra));
    }
  });
}

}  // namespace

ASSAY_PLUGIN_DEFINE("test-driver-plugin", "0.0.1", "test: registers the driver test-null-reader",
                    register_drivers)

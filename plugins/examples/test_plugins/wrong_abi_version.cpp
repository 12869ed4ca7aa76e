// Test plugin that claims a future ABI version; the loader must refuse it without ever calling
// its register function (which would register a protocol the tests look for).
#include "assay/plugins/plugin_host.hpp"

namespace {

int must_not_be_called(const assay_plugin_host_api*, char* error, size_t error_size) {
  std::strncpy(error, "the host called a plugin with the wrong ABI version", error_size - 1);
  return 1;
}

}  // namespace

extern "C" __attribute__((visibility("default"))) const assay_plugin_descriptor*
assay_plugin_entry(void) {
  static const assay_plugin_descriptor descriptor = {
      ASSAY_PLUGIN_ABI_VERSION + 1, sizeof(assay_plugin_descriptor), "wrong-abi-version", "0.0.1",
      "refused: built for the next plugin ABI", ASSAY_PLUGIN_CXX_ABI, ASSAY_PLUGIN_INTERFACE_HASH,
      must_not_be_called};
  return &descriptor;
}

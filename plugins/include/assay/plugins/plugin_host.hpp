// C++ helpers for plugin authors over the C ABI of plugin_abi.h.
//
// A plugin includes this header, writes a register function that calls add_driver() and
// add_protocol(), and exports its descriptor with ASSAY_PLUGIN_DEFINE:
//
//   static int register_all(const assay_plugin_host_api* host, char* error, size_t size) {
//     return assay::plugins::register_guarded(host, error, size, [&] {
//       assay::plugins::add_protocol(host, std::make_shared<MyProtocol>());
//     });
//   }
//   ASSAY_PLUGIN_DEFINE("my-plugin", "1.0.0", "What it adds", register_all)
//
// add_driver()/add_protocol() throw PluginRegistrationError when the host declines the object;
// register_guarded() turns any exception into the C error return, so nothing throws across the
// C boundary. Everything here runs on the host's main thread during registration.
#pragma once

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

#include "assay/drivers/registry.hpp"
#include "assay/plugins/interface_hash.h"
#include "assay/plugins/plugin_abi.h"
#include "assay/protocols/protocol.hpp"

#define ASSAY_PLUGIN_STR_(x) #x
#define ASSAY_PLUGIN_STR(x) ASSAY_PLUGIN_STR_(x)

// The C++ ABI facts a plugin and its host must share: the Itanium ABI version of the compiler,
// libstdc++'s dual-ABI switch (std::string layout) and the C++ standard level.
#define ASSAY_PLUGIN_CXX_ABI                                              \
  "gxx-abi-" ASSAY_PLUGIN_STR(__GXX_ABI_VERSION) "/glibcxx-cxx11-abi-"   \
      ASSAY_PLUGIN_STR(_GLIBCXX_USE_CXX11_ABI) "/std-" ASSAY_PLUGIN_STR(__cplusplus)

namespace assay::plugins {

class PluginRegistrationError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

inline void add_driver(const assay_plugin_host_api* host, drivers::DriverInfo info) {
  std::string name = info.name;
  if (host->add_driver(host->host, &info) != 0) {
    throw PluginRegistrationError("the host refused driver '" + name + "'");
  }
}

inline void add_protocol(const assay_plugin_host_api* host,
                         std::shared_ptr<const protocols::Protocol> protocol) {
  if (!protocol) throw PluginRegistrationError("null protocol");
  std::string name = protocol->name();
  if (host->add_protocol(host->host, &protocol) != 0) {
    throw PluginRegistrationError("the host refused protocol '" + name + "'");
  }
}

inline void log(const assay_plugin_host_api* host, assay_plugin_log_level level,
                const std::string& message) {
  host->log(host->host, level, message.c_str());
}

// Runs `body`; returns 0, or 1 with the exception's message copied into `error`.
template <class Body>
int register_guarded(const assay_plugin_host_api* host, char* error, size_t error_size,
                     Body&& body) noexcept {
  auto fail = [&](const char* message) {
    if (error != nullptr && error_size > 0) {
      std::strncpy(error, message, error_size - 1);
      error[error_size - 1] = '\0';
    }
    return 1;
  };
  if (host == nullptr || host->abi_version != ASSAY_PLUGIN_ABI_VERSION) {
    return fail("host speaks a different plugin ABI version");
  }
  try {
    body();
    return 0;
  } catch (const std::exception& e) {
    return fail(e.what());
  } catch (...) {
    return fail("unknown exception during registration");
  }
}

}  // namespace assay::plugins

// Defines the exported entry point and its static descriptor.
#define ASSAY_PLUGIN_DEFINE(plugin_name, plugin_version, plugin_description, register_fn) \
  extern "C" __attribute__((visibility("default"))) const assay_plugin_descriptor*       \
  assay_plugin_entry(void) {                                                              \
    static const assay_plugin_descriptor descriptor = {                                   \
        ASSAY_PLUGIN_ABI_VERSION,    sizeof(assay_plugin_descriptor),                     \
        plugin_name,                 plugin_version,                                      \
        plugin_description,          ASSAY_PLUGIN_CXX_ABI,                                \
        ASSAY_PLUGIN_INTERFACE_HASH, register_fn};                                        \
    return &descriptor;                                                                   \
  }

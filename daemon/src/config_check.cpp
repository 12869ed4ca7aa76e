// assayd --check-config: the checks of a start, without starting.
#include <spdlog/spdlog.h>

#include "assay/daemon/service.hpp"
#include "assay/drivers/registry.hpp"
#include "assay/plugins/plugin_loader.hpp"
#include "assay/protocols/registry.hpp"
#include "scheduler.hpp"

namespace assay::daemon {

std::string check_config(const std::optional<std::filesystem::path>& config_file,
                         const ConfigOverrides& overrides) {
  const Config config = load_config(config_file, overrides);
  plugins::PluginLoader loader;  // first: the registries hold plugin code and must go before it
  drivers::DriverRegistry drivers;
  protocols::ProtocolRegistry protocols;
  drivers::register_builtin_drivers(drivers);
  protocols::register_builtin_protocols(protocols);
  if (!config.plugin_dirs.empty()) {
    auto report = loader.load(config.plugin_dirs, drivers, protocols);
    for (const auto& refused : report.refused) {
      spdlog::warn("plugin {} would be refused: {}", refused.file.string(), refused.reason);
    }
  }
  for (const auto& instrument : config.instruments) build_instrument(instrument, drivers);
  std::string report = config.source + ": ok (" + std::to_string(config.instruments.size()) + " instruments";
  if (config.state_dir.empty()) report += "; no state directory set: pass --state-dir DIR at start";
  return report + ")";
}

}  // namespace assay::daemon

// assayd as a whole: loads the config, opens the store, starts one worker per instrument, binds
// the API (ROUTER) and event (PUB) sockets and runs the io thread until SIGTERM/SIGINT.
//
// run() blocks on the calling thread, which becomes the io thread. SIGHUP reloads the config
// (a bad one is refused and the old one kept); SIGTERM lets running jobs finish their current
// reading, leaves them interrupted (resumed at the next start) and returns 0.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>

#include "assay/daemon/config.hpp"

namespace assay::daemon {

// --check-config: reads the config as start and reload do, loads its plugins and builds every
// instrument from its settings without connecting it. Returns a one-line report; throws
// ConfigError naming the file and line at fault.
std::string check_config(const std::optional<std::filesystem::path>& config_file,
                         const ConfigOverrides& overrides);

class Service {
 public:
  Service(std::optional<std::filesystem::path> config_file, ConfigOverrides overrides);
  ~Service();
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace assay::daemon

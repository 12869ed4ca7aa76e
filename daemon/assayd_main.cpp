// assayd: runs lab instruments unattended; see README.md and docs/.
#include <sys/stat.h>

#include <iostream>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "assay/daemon/config.hpp"
#include "assay/drivers/image_memory.hpp"
#include "assay/daemon/service.hpp"
#include "logging.hpp"

int main(int argc, char** argv) {
  using namespace assay::daemon;
  assay::drivers::use_huge_page_images();
  CLI::App app{"assayd: runs plate readers and imagers, stores every reading in SQLite and "
               "publishes job state and results over ZeroMQ"};
  std::string config_file;
  std::string state_dir;
  std::string runtime_dir;
  std::string log_level;
  std::string web_listen;
  bool check_only = false;
  bool print_default = false;
  app.add_option("--config", config_file, "TOML config file (default: the embedded default)")
      ->check(CLI::ExistingFile);
  app.add_option("--state-dir", state_dir, "SQLite file, images and figures go here");
  app.add_option("--runtime-dir", runtime_dir, "ipc sockets go here (default: STATE_DIR/run)");
  app.add_option("--log-level", log_level, "trace, debug, info, warn or error");
  app.add_option("--web-listen", web_listen, "HOST:PORT of the dashboard (replaces web.listen), e.g. 127.0.0.1:0");
  app.add_flag("--check-config", check_only, "check the config and exit");
  app.add_flag("--print-default-config", print_default, "print the embedded default config");
  app.set_version_flag("--version", ASSAY_VERSION);
  CLI11_PARSE(app, argc, argv);

  if (print_default) {
    std::cout << default_config_toml();
    return 0;
  }
  // Readings, images and figures are the lab's data: folders 0750 and files 0640 however assayd
  // is started (the unit sets the same); ipc sockets get api.socket_mode explicitly.
  ::umask(0027);
  setup_logging(log_level.empty() ? "info" : log_level);
  ConfigOverrides overrides;
  if (!state_dir.empty()) overrides.state_dir = state_dir;
  if (!runtime_dir.empty()) overrides.runtime_dir = runtime_dir;
  if (!log_level.empty()) overrides.log_level = log_level;
  if (!web_listen.empty()) overrides.web_listen = web_listen;
  std::optional<std::filesystem::path> file;
  if (!config_file.empty()) file = config_file;
  try {
    if (check_only) {
      overrides.state_dir_optional = true;
      std::cout << check_config(file, overrides) << "\n";
      return 0;
    }
    Service service(file, overrides);
    return service.run();
  } catch (const ConfigError& e) {
    spdlog::critical("config refused: {}", e.what());
    return 2;
  } catch (const std::exception& e) {
    spdlog::critical("assayd cannot start: {}", e.what());
    return 1;
  }
}

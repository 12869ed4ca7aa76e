// Loads plugins (*.so) from configured directories into the driver and protocol registries.
//
// For each directory, every regular file named *.so is considered in name order. A file is
// refused, with one log line (spdlog) and one entry in the returned report, when:
//   - it, or the directory holding it, is writable by group or others, or is owned by a user
//     other than root or the user the daemon runs as (the file loaded is then checked to be the
//     inode that was checked);
//   - dlopen(RTLD_NOW | RTLD_LOCAL) fails or the file exports no `assay_plugin_entry`;
//   - its ABI version, C++ ABI string or interface hash differs from the host's;
//   - its plugin name is already loaded from another file;
//   - it registers a driver or protocol whose name is already in a registry (nothing of a
//     refused plugin is registered: registration is all or nothing).
// A missing directory is reported as a warning, not an error.
//
// Reload: calling load() again (SIGHUP) loads new files and keeps plugins already loaded (same
// file, by device and inode): they are not loaded or registered twice; if the registries passed
// in are fresh ones, the kept plugins' drivers and protocols are added to them again.
//
// Threading: not thread-safe; call from the daemon's main thread while no worker uses the
// registries. Lifetime: accepted plugins are never unloaded (their code backs objects in the
// registries); the loader must outlive nothing, but the process keeps their code mapped.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <sys/types.h>

#include "assay/drivers/registry.hpp"
#include "assay/protocols/registry.hpp"

namespace assay::plugins {

struct LoadedPlugin {
  std::filesystem::path file;
  std::string name;
  std::string version;
  std::string description;
  std::vector<std::string> drivers;    // driver names it registered
  std::vector<std::string> protocols;  // protocol names it registered
};

struct RefusedPlugin {
  std::filesystem::path file;
  std::string reason;  // says what to fix: "writable by others: chmod o-w <file>"
};

struct PluginReport {
  std::vector<LoadedPlugin> loaded;  // newly loaded by this call
  std::vector<LoadedPlugin> kept;    // loaded by an earlier call, left as they were
  std::vector<RefusedPlugin> refused;
  std::vector<std::string> warnings;  // e.g. a configured directory that does not exist

  bool all_loaded() const { return refused.empty(); }
  nlohmann::json to_json() const;
};

struct PluginPolicy {
  // Owners accepted besides root; defaults to the effective uid of this process.
  std::vector<uid_t> trusted_owners;
  bool check_permissions = true;  // tests of the ABI checks may turn this off, never the daemon
};

class PluginLoader {
 public:
  explicit PluginLoader(PluginPolicy policy = {});
  ~PluginLoader();
  PluginLoader(const PluginLoader&) = delete;
  PluginLoader& operator=(const PluginLoader&) = delete;

  PluginReport load(const std::vector<std::filesystem::path>& directories,
                    drivers::DriverRegistry& drivers, protocols::ProtocolRegistry& protocols);
  // Loads one file (the same checks); for tests and `assayctl plugin check`.
  PluginReport load_file(const std::filesystem::path& file, drivers::DriverRegistry& drivers,
                         protocols::ProtocolRegistry& protocols);
  const std::vector<LoadedPlugin>& plugins() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The daemon's entry point: one process-wide loader, so a reload keeps what start loaded.
PluginReport load_plugins(const std::vector<std::filesystem::path>& directories,
                          drivers::DriverRegistry& drivers, protocols::ProtocolRegistry& protocols);

}  // namespace assay::plugins

#include "assay/plugins/plugin_loader.hpp"

#include <algorithm>
#include <map>
#include <mutex>
#include <set>

#include <dlfcn.h>
#include <sys/stat.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include "assay/plugins/plugin_host.hpp"
#include "plugin_file_check.hpp"

// The host side of the registration context: what one plugin's register_plugin() staged.
struct assay_plugin_host {
  const assay::drivers::DriverRegistry* driver_registry = nullptr;
  const assay::protocols::ProtocolRegistry* protocol_registry = nullptr;
  std::string plugin_name;
  std::vector<assay::drivers::DriverInfo> drivers;
  std::vector<std::shared_ptr<const assay::protocols::Protocol>> protocols;
  std::string conflict;  // the first name the host declined, and why
};

namespace assay::plugins {
namespace {

int host_add_driver(assay_plugin_host* host, void* driver_info) noexcept {
  try {
    auto& info = *static_cast<drivers::DriverInfo*>(driver_info);
    bool staged = std::any_of(host->drivers.begin(), host->drivers.end(),
                              [&](const auto& d) { return d.name == info.name; });
    if (info.name.empty() || !info.factory) {
      host->conflict = "it registers a driver without a name or factory";
    } else if (staged || host->driver_registry->find(info.name) != nullptr) {
      host->conflict = "driver name '" + info.name + "' is already registered";
    } else {
      host->drivers.push_back(std::move(info));
      return 0;
    }
  } catch (const std::exception& e) {
    host->conflict = std::string("registering a driver failed: ") + e.what();
  }
  return 1;
}

int host_add_protocol(assay_plugin_host* host, const void* protocol) noexcept {
  try {
    const auto& p = *static_cast<const std::shared_ptr<const protocols::Protocol>*>(protocol);
    std::string name = p ? p->name() : std::string();
    bool staged = std::any_of(host->protocols.begin(), host->protocols.end(),
                              [&](const auto& q) { return q->name() == name; });
    if (name.empty()) {
      host->conflict = "it registers a protocol without a name";
    } else if (staged || host->protocol_registry->find(name) != nullptr) {
      host->conflict = "protocol name '" + name + "' is already registered";
    } else {
      host->protocols.push_back(p);
      return 0;
    }
  } catch (const std::exception& e) {
    host->conflict = std::string("registering a protocol failed: ") + e.what();
  }
  return 1;
}

void host_log(assay_plugin_host* host, int level, const char* message) noexcept {
  auto text = std::string(message != nullptr ? message : "");
  switch (level) {
    case ASSAY_PLUGIN_LOG_DEBUG: spdlog::debug("plugin {}: {}", host->plugin_name, text); break;
    case ASSAY_PLUGIN_LOG_WARNING: spdlog::warn("plugin {}: {}", host->plugin_name, text); break;
    case ASSAY_PLUGIN_LOG_ERROR: spdlog::error("plugin {}: {}", host->plugin_name, text); break;
    default: spdlog::info("plugin {}: {}", host->plugin_name, text); break;
  }
}

struct DlCloser {
  void operator()(void* handle) const {
    if (handle != nullptr) ::dlclose(handle);
  }
};
using LibraryHandle = std::unique_ptr<void, DlCloser>;

bool valid_plugin_name(const char* name) {
  if (name == nullptr || *name == '\0') return false;
  for (const char* c = name; *c != '\0'; ++c) {
    if (!std::isalnum(static_cast<unsigned char>(*c)) && *c != '-' && *c != '_') return false;
  }
  return true;
}

}  // namespace

struct PluginLoader::Impl {
  struct Kept {
    LoadedPlugin info;
    dev_t device = 0;
    ino_t inode = 0;
    void* handle = nullptr;  // never closed: registered objects run its code
    std::vector<drivers::DriverInfo> drivers;
    std::vector<std::shared_ptr<const protocols::Protocol>> protocols;
  };

  PluginPolicy policy;
  std::vector<Kept> kept;
  std::vector<LoadedPlugin> infos;

  void refuse(PluginReport& report, const std::filesystem::path& file, std::string reason) {
    spdlog::error("plugin {} refused: {}", file.string(), reason);
    report.refused.push_back({file, std::move(reason)});
  }

  // Re-adds a kept plugin's objects to registries that lack them (fresh registries on reload).
  void restore(Kept& plugin, drivers::DriverRegistry& driver_registry,
               protocols::ProtocolRegistry& protocol_registry) {
    for (const auto& d : plugin.drivers) {
      if (driver_registry.find(d.name) == nullptr) (void)driver_registry.add(d);
    }
    for (const auto& p : plugin.protocols) {
      if (protocol_registry.find(p->name()) == nullptr) protocol_registry.add(p);
    }
  }

  void load_one(const std::filesystem::path& file, const std::filesystem::path& dir,
                drivers::DriverRegistry& driver_registry,
                protocols::ProtocolRegistry& protocol_registry, PluginReport& report) {
    auto checked = open_checked_plugin(file, dir, policy.trusted_owners, policy.check_permissions);
    if (!checked.file) return refuse(report, file, checked.refusal);
    for (auto& k : kept) {
      if (k.device == checked.file->device() && k.inode == checked.file->inode()) {
        restore(k, driver_registry, protocol_registry);
        spdlog::info("plugin {} ({}) already loaded; kept", k.info.name, file.string());
        report.kept.push_back(k.info);
        return;
      }
    }
    ::dlerror();
    LibraryHandle handle(::dlopen(checked.file->real_path().c_str(), RTLD_NOW | RTLD_LOCAL));
    if (!handle) {
      const char* error = ::dlerror();
      return refuse(report, file, std::string("dlopen failed: ") + (error ? error : "unknown"));
    }
    struct stat loaded {};
    if (::stat(checked.file->real_path().c_str(), &loaded) != 0 ||
        loaded.st_dev != checked.file->device() || loaded.st_ino != checked.file->inode()) {
      return refuse(report, file, "the file was replaced while it was being loaded");
    }
    auto entry = reinterpret_cast<assay_plugin_entry_fn>(
        ::dlsym(handle.get(), ASSAY_PLUGIN_ENTRY_SYMBOL));
    if (entry == nullptr) {
      return refuse(report, file,
                    "exports no '" ASSAY_PLUGIN_ENTRY_SYMBOL "' function; not an assayd plugin");
    }
    const assay_plugin_descriptor* d = entry();
    if (d == nullptr) return refuse(report, file, "assay_plugin_entry returned no descriptor");
    if (d->abi_version != ASSAY_PLUGIN_ABI_VERSION) {
      return refuse(report, file,
                    "plugin ABI version " + std::to_string(d->abi_version) +
                        ", this assayd speaks version " +
                        std::to_string(ASSAY_PLUGIN_ABI_VERSION) +
                        "; rebuild the plugin against this assayd's plugin_abi.h");
    }
    if (d->struct_size < sizeof(assay_plugin_descriptor) || d->register_plugin == nullptr) {
      return refuse(report, file, "malformed plugin descriptor (size or register function)");
    }
    if (d->cxx_abi == nullptr || std::string(d->cxx_abi) != ASSAY_PLUGIN_CXX_ABI) {
      return refuse(report, file,
                    std::string("built with C++ ABI '") + (d->cxx_abi ? d->cxx_abi : "?") +
                        "', this assayd uses '" ASSAY_PLUGIN_CXX_ABI
                        "'; rebuild it with the same compiler and C++ standard");
    }
    if (d->interface_hash == nullptr ||
        std::string(d->interface_hash) != ASSAY_PLUGIN_INTERFACE_HASH) {
      return refuse(report, file,
                    "built against other assayd interface headers (interface hash differs); "
                    "rebuild it against this assayd's headers");
    }
    if (!valid_plugin_name(d->name)) {
      return refuse(report, file, "plugin name must be letters, digits, '-' or '_'");
    }
    std::string name = d->name;
    for (const auto& k : kept) {
      if (k.info.name == name) {
        return refuse(report, file,
                      "plugin name '" + name + "' is already loaded from '" +
                          k.info.file.string() + "'; remove one of the two files");
      }
    }

    assay_plugin_host host;
    host.driver_registry = &driver_registry;
    host.protocol_registry = &protocol_registry;
    host.plugin_name = name;
    assay_plugin_host_api api{ASSAY_PLUGIN_ABI_VERSION, sizeof(assay_plugin_host_api), &host,
                              host_add_driver, host_add_protocol, host_log};
    char error[512] = {0};
    int rc = d->register_plugin(&api, error, sizeof error);
    if (rc != 0 || !host.conflict.empty()) {
      std::string reason = !host.conflict.empty() ? host.conflict : std::string(error);
      if (reason.empty()) reason = "its register function failed without saying why";
      host.drivers.clear();  // destroy what it staged while its code is still mapped
      host.protocols.clear();
      return refuse(report, file, "registration failed: " + reason);
    }

    Kept plugin;
    plugin.info = {file, name, d->version ? d->version : "", d->description ? d->description : "",
                   {}, {}};
    plugin.device = checked.file->device();
    plugin.inode = checked.file->inode();
    for (auto& driver : host.drivers) {
      plugin.info.drivers.push_back(driver.name);
      plugin.drivers.push_back(driver);
      (void)driver_registry.add(std::move(driver));  // names were checked when staged
    }
    for (auto& protocol : host.protocols) {
      plugin.info.protocols.push_back(protocol->name());
      plugin.protocols.push_back(protocol);
      protocol_registry.add(protocol);
    }
    plugin.handle = handle.release();
    spdlog::info("plugin {} {} loaded from {}: drivers [{}], protocols [{}]", name,
                 plugin.info.version, file.string(), fmt::join(plugin.info.drivers, ", "),
                 fmt::join(plugin.info.protocols, ", "));
    report.loaded.push_back(plugin.info);
    infos.push_back(plugin.info);
    kept.push_back(std::move(plugin));
  }
};

PluginLoader::PluginLoader(PluginPolicy policy) : impl_(std::make_unique<Impl>()) {
  if (policy.trusted_owners.empty()) policy.trusted_owners.push_back(::geteuid());
  impl_->policy = std::move(policy);
}

PluginLoader::~PluginLoader() = default;

const std::vector<LoadedPlugin>& PluginLoader::plugins() const { return impl_->infos; }

PluginReport PluginLoader::load(const std::vector<std::filesystem::path>& directories,
                                drivers::DriverRegistry& drivers,
                                protocols::ProtocolRegistry& protocols) {
  PluginReport report;
  for (const auto& dir : directories) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
      std::string warning = "plugin directory '" + dir.string() + "' does not exist; skipped";
      spdlog::warn("{}", warning);
      report.warnings.push_back(std::move(warning));
      continue;
    }
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    }
    if (ec) {
      std::string warning = "cannot list plugin directory '" + dir.string() + "': " + ec.message();
      spdlog::warn("{}", warning);
      report.warnings.push_back(std::move(warning));
    }
    std::sort(files.begin(), files.end());
    for (const auto& file : files) impl_->load_one(file, dir, drivers, protocols, report);
  }
  return report;
}

PluginReport PluginLoader::load_file(const std::filesystem::path& file,
                                     drivers::DriverRegistry& drivers,
                                     protocols::ProtocolRegistry& protocols) {
  PluginReport report;
  impl_->load_one(file, file.parent_path(), drivers, protocols, report);
  return report;
}

PluginReport load_plugins(const std::vector<std::filesystem::path>& directories,
                          drivers::DriverRegistry& drivers, protocols::ProtocolRegistry& protocols) {
  static std::mutex mutex;
  static PluginLoader loader;
  std::lock_guard lock(mutex);
  return loader.load(directories, drivers, protocols);
}

}  // namespace assay::plugins

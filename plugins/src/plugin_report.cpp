#include "assay/plugins/plugin_loader.hpp"

namespace assay::plugins {
namespace {

nlohmann::json plugin_json(const LoadedPlugin& plugin) {
  return {{"file", plugin.file.string()},   {"name", plugin.name},
          {"version", plugin.version},      {"description", plugin.description},
          {"drivers", plugin.drivers},      {"protocols", plugin.protocols}};
}

}  // namespace

nlohmann::json PluginReport::to_json() const {
  nlohmann::json out = {{"loaded", nlohmann::json::array()},
                        {"kept", nlohmann::json::array()},
                        {"refused", nlohmann::json::array()},
                        {"warnings", warnings}};
  for (const auto& p : loaded) out["loaded"].push_back(plugin_json(p));
  for (const auto& p : kept) out["kept"].push_back(plugin_json(p));
  for (const auto& r : refused) {
    out["refused"].push_back({{"file", r.file.string()}, {"reason", r.reason}});
  }
  return out;
}

}  // namespace assay::plugins

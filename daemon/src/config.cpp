#include "assay/daemon/config.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include <toml++/toml.h>

#include "assay/protocols/key_names.hpp"
#include "assay/web/http_server.hpp"

namespace assay::daemon {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

std::string format_number(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

// Raises a ConfigError "FILE:LINE: key 'K': message".
class ConfigReader {
 public:
  explicit ConfigReader(std::string source) : source_(std::move(source)) {}

  [[noreturn]] void fail(const toml::node* node, const std::string& key, const std::string& message) const {
    std::ostringstream out;
    out << source_;
    if (node && node->source().begin.line > 0) out << ":" << node->source().begin.line;
    out << ": key '" << key << "': " << message;
    throw ConfigError(out.str());
  }

  // Refuses keys this version does not know, so a typo is not silently ignored.
  void only_keys(const toml::table& table, const std::string& prefix,
                 const std::set<std::string>& known) const {
    for (const auto& [key, node] : table) {
      if (!known.count(std::string(key.str()))) {
        fail(&node, prefix + std::string(key.str()),
             protocols::unknown_key_message(key.str(), std::vector<std::string>(known.begin(), known.end())));
      }
    }
  }

  std::string string_at(const toml::table& table, const std::string& prefix, const char* key,
                        const std::string& fallback) const {
    const auto* node = table.get(key);
    if (!node) return fallback;
    if (!node->is_string()) fail(node, prefix + key, "must be a string");
    return node->as_string()->get();
  }

  double number_at(const toml::table& table, const std::string& prefix, const char* key,
                   double fallback, double min_value, double max_value) const {
    const auto* node = table.get(key);
    if (!node) return fallback;
    double value = 0;
    if (node->is_integer()) {
      value = static_cast<double>(node->as_integer()->get());
    } else if (node->is_floating_point()) {
      value = node->as_floating_point()->get();
    } else {
      fail(node, prefix + key, "must be a number");
    }
    if (!(value >= min_value && value <= max_value)) {
      fail(node, prefix + key, "must be from " + format_number(min_value) + " to " + format_number(max_value));
    }
    return value;
  }

  const toml::table* table_at(const toml::table& root, const char* key) const {
    const auto* node = root.get(key);
    if (!node) return nullptr;
    if (!node->is_table()) fail(node, key, "must be a table, e.g. [" + std::string(key) + "]");
    return node->as_table();
  }

 private:
  std::string source_;
};

// Instrument settings nest a few levels; the bound keeps a hostile file from recursing us (and
// the JSON copies and dumps made of the settings later) into a stack overflow.
constexpr int kMaxSettingsDepth = 32;

json to_json(const ConfigReader& reader, const toml::node& node, const std::string& key, int depth) {
  if ((node.is_table() || node.is_array()) && depth > kMaxSettingsDepth) {
    reader.fail(&node, key, "nests tables or arrays deeper than " + std::to_string(kMaxSettingsDepth) +
                                " levels (the limit)");
  }
  if (auto* table = node.as_table()) {
    json out = json::object();
    for (const auto& [name, value] : *table) {
      out[std::string(name.str())] = to_json(reader, value, key + "." + std::string(name.str()), depth + 1);
    }
    return out;
  }
  if (auto* array = node.as_array()) {
    json out = json::array();
    for (std::size_t i = 0; i < array->size(); ++i) {
      out.push_back(to_json(reader, (*array)[i], key + "[" + std::to_string(i) + "]", depth + 1));
    }
    return out;
  }
  if (auto* v = node.as_string()) return v->get();
  if (auto* v = node.as_integer()) return v->get();
  if (auto* v = node.as_floating_point()) return v->get();
  if (auto* v = node.as_boolean()) return v->get();
  return nullptr;  // dates and times carry no meaning in instrument settings
}

std::string expand(std::string text, const Config& config) {
  for (auto [name, value] : {std::pair{std::string("{state_dir}"), config.state_dir.string()},
                             {std::string("{runtime_dir}"), config.runtime_dir.string()}}) {
    for (auto pos = text.find(name); pos != std::string::npos; pos = text.find(name)) {
      text.replace(pos, name.size(), value);
    }
  }
  return text;
}

void check_endpoint(const ConfigReader& reader, const toml::table* table, const std::string& key,
                    const std::string& endpoint, bool has_curve) {
  const toml::node* node = table ? table->get("endpoint") : nullptr;
  if (endpoint.rfind("ipc://@", 0) == 0) {
    // Linux abstract sockets have no file, so api.socket_mode cannot decide who connects.
    reader.fail(node, key, "'" + endpoint + "' is an abstract socket, which any local user can "
                           "connect to (no file permissions apply); use a path like "
                           "ipc://{runtime_dir}/api.sock");
  }
  if (endpoint.rfind("ipc://", 0) == 0) return;
  if (endpoint.rfind("tcp://", 0) == 0) {
    if (!has_curve) {
      reader.fail(node, key, "tcp endpoints need CURVE keys: add a [curve] table with "
                             "server_secret_key_file and allowed_clients_file");
    }
    return;
  }
  reader.fail(node, key, "'" + endpoint + "' must start with ipc:// or tcp://");
}

// toml++ builds (and frees) one nested table per dotted-key part recursively, so a key like
// a.a.a... 150,000 parts long overflows the stack inside the parser. Refuse long dotted keys
// before parsing: a run of bare or quoted key parts joined by dots, outside strings and comments.
// Dots inside numbers end a run at the next comma or bracket, so float arrays never count.
void check_dotted_keys(const std::string& text, const std::string& source) {
  constexpr int kMaxDots = kMaxSettingsDepth;
  int dots = 0;
  int line = 1;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      dots = 0;
    } else if (c == '#') {
      while (i + 1 < text.size() && text[i + 1] != '\n') ++i;
    } else if (c == '"' || c == '\'') {
      const bool multi = text.compare(i, 3, std::string(3, c)) == 0;
      const std::string close = multi ? std::string(3, c) : std::string(1, c);
      std::size_t j = i + close.size();
      while (j < text.size() && text.compare(j, close.size(), close) != 0) {
        if (text[j] == '\n') ++line;
        if (c == '"' && text[j] == '\\') ++j;  // an escaped character, in basic strings only
        ++j;
      }
      i = std::min(j + close.size(), text.size()) - 1;
    } else if (c == '.') {
      if (++dots > kMaxDots) {
        throw ConfigError(source + ":" + std::to_string(line) + ": a dotted key has more than " +
                          std::to_string(kMaxDots) + " parts after the first (the limit)");
      }
    } else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == ' ' ||
                 c == '\t')) {
      dots = 0;
    }
  }
}

// [facility]: on when the table is there, unless `enabled = false`.
std::optional<FacilityBridgeConfig> parse_facility(const ConfigReader& reader, const toml::table& table) {
  reader.only_keys(table, "facility.", {"enabled", "nats_url", "credentials_file", "ca_file", "host", "stream",
                                          "submits"});
  if (const auto* enabled = table.get("enabled")) {
    if (!enabled->is_boolean()) reader.fail(enabled, "facility.enabled", "must be true or false");
    if (!enabled->as_boolean()->get()) return std::nullopt;
  }
  FacilityBridgeConfig facility;
  facility.nats_url = reader.string_at(table, "facility.", "nats_url", facility.nats_url.c_str());
  facility.credentials_file = reader.string_at(table, "facility.", "credentials_file", "");
  facility.ca_file = reader.string_at(table, "facility.", "ca_file", "");
  facility.stream = reader.string_at(table, "facility.", "stream", facility.stream.c_str());
  if (const auto* submits = table.get("submits")) {
    if (!submits->is_boolean()) reader.fail(submits, "facility.submits", "must be true or false");
    facility.submits = submits->as_boolean()->get();
  }
  char name[256] = {};
  ::gethostname(name, sizeof name - 1);
  std::string fallback = name;
  for (auto& c : fallback) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') c = '_';
  }
  facility.host = reader.string_at(table, "facility.", "host", fallback.c_str());
  const bool valid = !facility.host.empty() && facility.host.size() <= 64 &&
                     std::all_of(facility.host.begin(), facility.host.end(), [](unsigned char c) {
                       return std::isalnum(c) || c == '-' || c == '_';
                     });
  if (!valid) {
    reader.fail(table.get("host"), "facility.host",
                "'" + facility.host + "' must be 1-64 letters, digits, '-' or '_' (it is a NATS subject token)");
  }
  if (facility.stream.empty() || facility.stream.find_first_of(". *>") != std::string::npos) {
    reader.fail(table.get("stream"), "facility.stream", "must be a stream name without '.', '*', '>' or spaces");
  }
  return facility;
}

}  // namespace

Config parse_config(const std::string& toml_text, const std::string& source,
                    const ConfigOverrides& overrides) {
  check_dotted_keys(toml_text, source);
  toml::table root;
  try {
    root = toml::parse(toml_text, source);
  } catch (const toml::parse_error& e) {
    std::ostringstream out;
    out << source << ":" << e.source().begin.line << ":" << e.source().begin.column << ": "
        << e.description();
    throw ConfigError(out.str());
  }
  ConfigReader reader(source);
  reader.only_keys(root, "", {"paths", "api", "events", "policy", "logging", "plugins", "curve",
                              "web", "facility", "instrument"});
  Config config;
  config.source = source;

  const auto* paths = reader.table_at(root, "paths");
  toml::table empty;
  if (!paths) paths = &empty;
  reader.only_keys(*paths, "paths.", {"state_dir", "runtime_dir", "database"});
  config.state_dir = overrides.state_dir.value_or(reader.string_at(*paths, "paths.", "state_dir", ""));
  std::string runtime = reader.string_at(*paths, "paths.", "runtime_dir", "");
  std::string database = reader.string_at(*paths, "paths.", "database", "assayd.db");
  if (config.state_dir.empty() && !overrides.state_dir_optional) {
    throw ConfigError(source + ": no state directory: set paths.state_dir or pass --state-dir DIR");
  }
  if (!config.state_dir.empty()) {
    config.state_dir = fs::absolute(config.state_dir).lexically_normal();
    config.runtime_dir = overrides.runtime_dir.value_or(
        runtime.empty() ? config.state_dir / "run" : fs::path(runtime));
    config.runtime_dir = fs::absolute(config.runtime_dir).lexically_normal();
    config.database = config.state_dir / database;
  }

  if (const auto* curve = reader.table_at(root, "curve")) {
    reader.only_keys(*curve, "curve.", {"server_secret_key_file", "allowed_clients_file"});
    CurveConfig curve_config;
    curve_config.server_secret_key_file = reader.string_at(*curve, "curve.", "server_secret_key_file", "");
    curve_config.allowed_clients_file = reader.string_at(*curve, "curve.", "allowed_clients_file", "");
    if (curve_config.server_secret_key_file.empty() || curve_config.allowed_clients_file.empty()) {
      reader.fail(curve, "curve", "needs both server_secret_key_file and allowed_clients_file");
    }
    config.curve = curve_config;
  }

  const auto* api = reader.table_at(root, "api");
  if (!api) api = &empty;
  reader.only_keys(*api, "api.", {"endpoint", "max_message_bytes", "socket_mode", "request_id_ttl_h"});
  config.request_id_ttl_h = reader.number_at(*api, "api.", "request_id_ttl_h", 24.0, 0.0003, 24.0 * 365);
  config.api_endpoint = expand(reader.string_at(*api, "api.", "endpoint", "ipc://{runtime_dir}/api.sock"), config);
  check_endpoint(reader, api, "api.endpoint", config.api_endpoint, config.curve.has_value());
  config.max_message_bytes = static_cast<std::size_t>(
      reader.number_at(*api, "api.", "max_message_bytes", 1 << 20, 1024, 1 << 30));
  std::string mode = reader.string_at(*api, "api.", "socket_mode", "0660");
  try {
    std::size_t used = 0;
    config.socket_mode = static_cast<unsigned>(std::stoul(mode, &used, 8));
    if (used != mode.size() || config.socket_mode > 0777) throw std::invalid_argument(mode);
  } catch (const std::exception&) {
    reader.fail(api->get("socket_mode"), "api.socket_mode", "'" + mode + "' is not an octal file mode like \"0660\"");
  }

  const auto* events = reader.table_at(root, "events");
  if (!events) events = &empty;
  reader.only_keys(*events, "events.", {"endpoint", "heartbeat_s", "backlog_per_subscriber"});
  config.backlog_per_subscriber =
      static_cast<int>(reader.number_at(*events, "events.", "backlog_per_subscriber", 10000, 100, 1000000));
  config.events_endpoint = expand(reader.string_at(*events, "events.", "endpoint", "ipc://{runtime_dir}/events.sock"), config);
  check_endpoint(reader, events, "events.endpoint", config.events_endpoint, config.curve.has_value());
  config.heartbeat_s = reader.number_at(*events, "events.", "heartbeat_s", 2.0, 0.05, 3600);

  const auto* policy = reader.table_at(root, "policy");
  if (!policy) policy = &empty;
  reader.only_keys(*policy, "policy.", {"on_interrupted", "max_attempts", "on_disconnect", "step_timeout_s",
                                        "stop_timeout_s"});
  config.step_timeout_s = reader.number_at(*policy, "policy.", "step_timeout_s", 300, 1, 7 * 24 * 3600);
  config.stop_timeout_s = reader.number_at(*policy, "policy.", "stop_timeout_s", 10, 0.5, 600);
  config.on_interrupted = reader.string_at(*policy, "policy.", "on_interrupted", "requeue");
  if (config.on_interrupted != "requeue" && config.on_interrupted != "fail") {
    reader.fail(policy->get("on_interrupted"), "policy.on_interrupted", "must be \"requeue\" or \"fail\"");
  }
  config.max_attempts = static_cast<int>(reader.number_at(*policy, "policy.", "max_attempts", 3, 1, 1000));
  config.on_disconnect = reader.string_at(*policy, "policy.", "on_disconnect", "fail");
  if (config.on_disconnect != "fail" && config.on_disconnect != "pause") {
    reader.fail(policy->get("on_disconnect"), "policy.on_disconnect", "must be \"fail\" or \"pause\"");
  }

  const auto* logging = reader.table_at(root, "logging");
  if (!logging) logging = &empty;
  reader.only_keys(*logging, "logging.", {"level"});
  config.log_level = overrides.log_level.value_or(reader.string_at(*logging, "logging.", "level", "info"));
  static const std::set<std::string> levels{"trace", "debug", "info", "warn", "error", "critical", "off"};
  if (!levels.count(config.log_level)) {
    reader.fail(logging->get("level"), "logging.level",
                "'" + config.log_level + "' is not a level; use trace, debug, info, warn or error");
  }

  if (const auto* plugins = reader.table_at(root, "plugins")) {
    reader.only_keys(*plugins, "plugins.", {"directories"});
    if (const auto* dirs = plugins->get("directories")) {
      if (!dirs->is_array()) reader.fail(dirs, "plugins.directories", "must be a list of paths");
      for (const auto& dir : *dirs->as_array()) {
        if (!dir.is_string()) reader.fail(&dir, "plugins.directories", "must be a list of paths");
        config.plugin_dirs.emplace_back(dir.as_string()->get());
      }
    }
  }

  const auto* web = reader.table_at(root, "web");
  if (!web) web = &empty;
  reader.only_keys(*web, "web.", {"enabled", "listen", "allowed_hosts", "token_file", "max_connections"});
  if (const auto* enabled = web->get("enabled")) {
    if (!enabled->is_boolean()) reader.fail(enabled, "web.enabled", "must be true or false");
    config.web.enabled = enabled->as_boolean()->get();
  }
  const auto listen = overrides.web_listen.value_or(reader.string_at(*web, "web.", "listen", "127.0.0.1:8470"));
  if (!web::parse_listen(listen, config.web.host, config.web.port)) {
    const std::string what = "'" + listen + "' is not HOST:PORT with an IP address, e.g. \"127.0.0.1:8470\" or \"[::1]:8470\"";
    if (overrides.web_listen) throw ConfigError("--web-listen: " + what);
    reader.fail(web->get("listen"), "web.listen", what);
  }
  if (const auto* hosts = web->get("allowed_hosts")) {
    if (!hosts->is_array()) reader.fail(hosts, "web.allowed_hosts", "must be a list of host names");
    for (const auto& host : *hosts->as_array()) {
      if (!host.is_string() || host.as_string()->get().empty()) {
        reader.fail(&host, "web.allowed_hosts", "must be a list of host names, e.g. [\"lab.example.org\"]");
      }
      config.web.allowed_hosts.push_back(host.as_string()->get());
    }
  }
  config.web.token_file = reader.string_at(*web, "web.", "token_file", "");
  config.web.max_connections = static_cast<int>(reader.number_at(*web, "web.", "max_connections", 512, 1, 100000));

  if (const auto* facility = reader.table_at(root, "facility")) config.facility = parse_facility(reader, *facility);

  if (const auto* instruments = root.get("instrument")) {
    if (!instruments->is_array_of_tables()) {
      reader.fail(instruments, "instrument", "must be an array of tables: write [[instrument]]");
    }
    std::set<std::string> names;
    for (const auto& node : *instruments->as_array()) {
      const auto& table = *node.as_table();
      std::string prefix = "instrument[" + std::to_string(config.instruments.size()) + "].";
      reader.only_keys(table, prefix, {"name", "driver", "settings"});
      InstrumentConfig instrument;
      instrument.source = source;
      instrument.line = static_cast<int>(node.source().begin.line);
      instrument.name = reader.string_at(table, prefix, "name", "");
      instrument.driver = reader.string_at(table, prefix, "driver", "");
      if (instrument.name.empty()) reader.fail(&node, prefix + "name", "is missing");
      if (instrument.driver.empty()) reader.fail(&node, prefix + "driver", "is missing");
      if (!names.insert(instrument.name).second) {
        reader.fail(table.get("name"), prefix + "name", "'" + instrument.name + "' is used twice");
      }
      if (const auto* settings = table.get("settings")) {
        if (!settings->is_table()) reader.fail(settings, prefix + "settings", "must be a table");
        instrument.settings = to_json(reader, *settings, prefix + "settings", 1);
        for (const auto& [key, value] : *settings->as_table()) {
          instrument.setting_lines[std::string(key.str())] = static_cast<int>(value.source().begin.line);
        }
      }
      config.instruments.push_back(std::move(instrument));
    }
  }
  return config;
}

std::string InstrumentConfig::refusal(const std::string& message) const {
  int at = line;
  for (const auto& [key, key_line] : setting_lines) {
    for (const std::string& mention : {"'" + key + "'", "." + key + ":", "." + key + " ", "." + key + "."}) {
      if (key_line > 0 && message.find(mention) != std::string::npos) at = key_line;
    }
  }
  std::string where = source.empty() ? "" : source + (at > 0 ? ":" + std::to_string(at) : "") + ": ";
  return where + "instrument '" + name + "' (driver " + driver + "): " + message;
}

Config load_config(const std::optional<fs::path>& config_file, const ConfigOverrides& overrides) {
  if (!config_file) return parse_config(default_config_toml(), "<embedded default>", overrides);
  std::ifstream in(*config_file);
  if (!in) throw ConfigError(config_file->string() + ": cannot read the config file");
  std::stringstream text;
  text << in.rdbuf();
  return parse_config(text.str(), config_file->string(), overrides);
}

}  // namespace assay::daemon

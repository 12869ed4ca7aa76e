// assayd configuration: read from TOML (a file, or the embedded default), checked as a whole.
//
// load_config() throws ConfigError naming the file, line and key at fault; nothing is applied
// from a config that fails. Placeholders "{state_dir}" and "{runtime_dir}" in endpoints are
// expanded. Plain value type.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace assay::daemon {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct InstrumentConfig {
  std::string name;
  std::string driver;
  nlohmann::json settings = nlohmann::json::object();
  // Where it was written, for the driver's refusals: the file, the line of the [[instrument]]
  // table and the line of each top-level setting (0 when unknown).
  std::string source;
  int line = 0;
  std::map<std::string, int> setting_lines;

  // "FILE:LINE: instrument 'NAME' (driver D): MESSAGE", at the line of the setting the driver's
  // message names ('key' or .key), else at the instrument's table.
  std::string refusal(const std::string& message) const;
};

struct CurveConfig {
  std::filesystem::path server_secret_key_file;  // z85 secret key (40 chars) of this server
  std::filesystem::path allowed_clients_file;    // one z85 public key per line, '#' comments
};

// The dashboard and read-only HTTP API (docs/web.md).
struct WebConfig {
  bool enabled = false;
  std::string host = "127.0.0.1";  // an IPv4 or IPv6 literal
  unsigned short port = 8470;      // 0 = any free port (logged at start)
  // Names a browser may use for this server (the Host header) besides loopback ones, e.g. the
  // name a reverse proxy serves it under; other Host values are refused (DNS rebinding).
  std::vector<std::string> allowed_hosts;
  // A file holding the bearer token of the submit and cancel routes; empty = read-only.
  std::filesystem::path token_file;
  int max_connections = 512;  // HTTP and WebSocket together; more are refused with 503
};

// The bridge to the facility bus (docs/facility.md); absent = no bridge, assayd as before.
struct FacilityBridgeConfig {
  std::string nats_url = "nats://127.0.0.1:4222";  // one or more, comma separated
  std::string credentials_file;  // NATS .creds file, or "credential:NAME"; empty = no auth
  std::string ca_file;           // trusted CAs for TLS to nats-server; empty = plain
  std::string host;              // this host's name on the bus (default: the machine's name)
  std::string stream = "ASSAY";  // created on "assay.>" when missing
  bool submits = true;           // answers jobs submitted through the facility bus
};

struct Config {
  std::string source = "<embedded default>";  // file name for messages
  std::filesystem::path state_dir;
  std::filesystem::path runtime_dir;
  std::filesystem::path database;
  std::string api_endpoint;
  std::string events_endpoint;
  std::size_t max_message_bytes = 1 << 20;
  double request_id_ttl_h = 24.0;  // how long a submit's request id keeps it idempotent
  unsigned socket_mode = 0660;
  double heartbeat_s = 2.0;
  int backlog_per_subscriber = 10000;  // events held for a subscriber that does not read
  std::string on_interrupted = "requeue";  // or "fail"
  int max_attempts = 3;
  std::string on_disconnect = "fail";  // or "pause"
  double step_timeout_s = 300;  // a job step with no progress this long fails (unless its protocol sets a bound)
  double stop_timeout_s = 10;   // SIGTERM: how long running jobs get to stop before assayd exits without them
  std::string log_level = "info";
  std::vector<std::filesystem::path> plugin_dirs;
  std::optional<CurveConfig> curve;
  WebConfig web;
  std::optional<FacilityBridgeConfig> facility;
  std::vector<InstrumentConfig> instruments;
};

struct ConfigOverrides {
  std::optional<std::filesystem::path> state_dir;
  std::optional<std::filesystem::path> runtime_dir;
  std::optional<std::string> log_level;
  std::optional<std::string> web_listen;  // "HOST:PORT", replaces web.listen
  // --check-config: a config without a state directory is checked anyway (--state-dir gives one
  // at start); state_dir and runtime_dir then stay empty.
  bool state_dir_optional = false;
};

// From a file (config_file set) or the embedded default.
Config load_config(const std::optional<std::filesystem::path>& config_file,
                   const ConfigOverrides& overrides);
// From TOML text; `source` names it in errors.
Config parse_config(const std::string& toml_text, const std::string& source,
                    const ConfigOverrides& overrides);

const char* default_config_toml();

}  // namespace assay::daemon
